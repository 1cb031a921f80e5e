
use builtin;
use str;

set edit:completion:arg-completer[dataarts-jobs] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'dataarts-jobs'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'dataarts-jobs'= {
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand --verbose 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand export 'Export jobs into a zip archive, and optionally extract them'
            cand list 'Print the names of the jobs in a workspace, one a line'
            cand unpack 'Safely extract a jobs.zip into DIR/jobs/<job>/...'
            cand emulator 'Run a local DataArts Factory API emulator (for demos, tests and rehearsing scripts)'
            cand demo 'Zero-setup quick start: export and extract sample jobs from an in-process emulator'
            cand completions 'Print a shell completion script'
        }
        &'dataarts-jobs;export'= {
            cand --jobs-from 'Read more job names from FILE, one a line (''-'' = stdin; blank lines and # comments skipped)'
            cand --match 'Keep only names matching GLOB (repeatable; patterns combine with OR)'
            cand -o 'Archive path; ''-'' writes the zip to stdout'
            cand --output 'Archive path; ''-'' writes the zip to stdout'
            cand -x 'Also extract into DIR, giving DIR/jobs/<job>/...'
            cand --extract 'Also extract into DIR, giving DIR/jobs/<job>/...'
            cand --batch-size 'Names per request (the API takes at most 100)'
            cand --parallel 'Concurrent batch requests'
            cand --max-size 'With --extract: refuse archives that inflate to more (e.g. 500M, 4GiB)'
            cand --project-id 'Project id [default: the credentials file''s project_id, else looked up with IAM]'
            cand --region 'Region id, e.g. cn-north-4; gives the endpoint from the SDK''s region table'
            cand --endpoint 'DataArts endpoint URL; overrides the region (emulator, private clouds, .myhuaweicloud.eu)'
            cand --iam-endpoint 'IAM endpoint for the project-id lookup [default: from the region]'
            cand --workspace 'Workspace id, sent as the `workspace` header [default: the default workspace]'
            cand --credentials-file 'The SDK credentials file [default: ~/.huaweicloud/credentials]'
            cand --profile 'Section of the credentials file (or KooCLI profile) to use [default: basic]'
            cand --auth-token-file 'File holding an IAM token, sent as X-Auth-Token instead of signing'
            cand --timeout 'Connect timeout and read-inactivity timeout, in seconds'
            cand --retries 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)'
            cand --ca-cert 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured'
            cand --all 'Export every job in the workspace (batch and real-time)'
            cand --no-depend 'Do not export the scripts and resources the jobs depend on'
            cand --submitted 'Export the submitted version instead of the latest saved one'
            cand --keep-going 'Isolate names a batch is refused for, export the rest, list what failed (exit 4)'
            cand --no-archive 'With --extract: keep no zip archive'
            cand --force 'Overwrite an existing archive; replace existing jobs/<job>/ directories'
            cand --dry-run 'Print each request that would be sent (secrets redacted); send nothing'
            cand --json 'Print a JSON summary on stdout instead of the text summary'
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand --verbose 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dataarts-jobs;list'= {
            cand --match 'Keep only names matching GLOB (repeatable; patterns combine with OR)'
            cand --type 'Job type to list'
            cand --project-id 'Project id [default: the credentials file''s project_id, else looked up with IAM]'
            cand --region 'Region id, e.g. cn-north-4; gives the endpoint from the SDK''s region table'
            cand --endpoint 'DataArts endpoint URL; overrides the region (emulator, private clouds, .myhuaweicloud.eu)'
            cand --iam-endpoint 'IAM endpoint for the project-id lookup [default: from the region]'
            cand --workspace 'Workspace id, sent as the `workspace` header [default: the default workspace]'
            cand --credentials-file 'The SDK credentials file [default: ~/.huaweicloud/credentials]'
            cand --profile 'Section of the credentials file (or KooCLI profile) to use [default: basic]'
            cand --auth-token-file 'File holding an IAM token, sent as X-Auth-Token instead of signing'
            cand --timeout 'Connect timeout and read-inactivity timeout, in seconds'
            cand --retries 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)'
            cand --ca-cert 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured'
            cand --json 'Print the API''s job objects as a JSON array'
            cand --dry-run 'Print each request that would be sent (secrets redacted); send nothing'
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand --verbose 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dataarts-jobs;unpack'= {
            cand -C 'Extract into DIR'
            cand --directory 'Extract into DIR'
            cand --max-size 'Refuse archives that inflate to more (e.g. 500M, 4GiB)'
            cand --force 'Replace existing jobs/<job>/ directories and overwrite existing files'
            cand --json 'Print a JSON summary on stdout instead of the text summary'
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand --verbose 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dataarts-jobs;emulator'= {
            cand --listen 'Address to listen on (port 0 picks a free one)'
            cand --data 'Serve DIR/jobs/<job>/... (workspace <id> in DIR/workspaces/<id>/jobs/) instead of the sample'
            cand --ak 'Access key the emulator accepts [default: a fixed fake key]'
            cand --sk 'Secret key the emulator accepts [default: a fixed fake key]'
            cand --project-id 'The one project id served (others get 403)'
            cand --region 'The region IAM''s project lookup answers for'
            cand --auth-token 'Also accept this IAM token as X-Auth-Token'
            cand --request-log 'Append one JSON line per request (secrets redacted) to FILE'
            cand --offset-unit 'How list jobs counts `offset`'
            cand --tls-cert 'Serve HTTPS with this PEM certificate (chain, leaf first); needs --tls-key. A self-signed one must not be marked as a CA (CA:FALSE): rustls clients refuse that'
            cand --tls-key 'The PEM private key of --tls-cert'
            cand --iam-projects 'How many projects IAM''s lookup finds for --region (0 or several rehearse a client''s errors)'
            cand --fail-first 'Fault: fail only the first N batch-export requests (with --fail-status)'
            cand --fail-status 'Fault: the status for failed batch exports [default: 503]'
            cand --retry-after 'Fault: send Retry-After: SECS with failures'
            cand --first-byte-delay 'Fault: delay the first byte of export bodies'
            cand --truncate-body 'Fault: cut export bodies short after BYTES'
            cand --reset-after 'Fault: reset the connection after BYTES of an export body'
            cand --rate-limit 'Fault: answer 429 APIG.0308 above RPS requests a second (no burst)'
            cand --latency 'Fault: add MS of latency to every request'
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand --verbose 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dataarts-jobs;demo'= {
            cand -C 'Where to write jobs.zip and the extracted jobs/ tree'
            cand --directory 'Where to write jobs.zip and the extracted jobs/ tree'
            cand --force 'Replace an earlier demo''s output'
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand --verbose 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'dataarts-jobs;completions'= {
            cand -q 'Print errors only'
            cand --quiet 'Print errors only'
            cand -v 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand --verbose 'One line per request on stderr; -vv adds headers (secrets redacted)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
    ]
    $completions[$command]
}
