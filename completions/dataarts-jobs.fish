# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_dataarts_jobs_global_optspecs
    string join \n q/quiet v/verbose h/help V/version
end

function __fish_dataarts_jobs_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_dataarts_jobs_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_dataarts_jobs_using_subcommand
    set -l cmd (__fish_dataarts_jobs_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "export" -d 'Export jobs into a zip archive, and optionally extract them'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "list" -d 'Print the names of the jobs in a workspace, one a line'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "unpack" -d 'Safely extract a jobs.zip into DIR/jobs/<job>/...'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "emulator" -d 'Run a local DataArts Factory API emulator (for demos, tests and rehearsing scripts)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "demo" -d 'Zero-setup quick start: export and extract sample jobs from an in-process emulator'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l jobs-from -d 'Read more job names from FILE, one a line (\'-\' = stdin; blank lines and # comments skipped)' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l match -d 'Keep only names matching GLOB (repeatable; patterns combine with OR)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s o -l output -d 'Archive path; \'-\' writes the zip to stdout' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s x -l extract -d 'Also extract into DIR, giving DIR/jobs/<job>/...' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l batch-size -d 'Names per request (the API takes at most 100)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l parallel -d 'Concurrent batch requests' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l max-size -d 'With --extract: refuse archives that inflate to more (e.g. 500M, 4GiB)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l project-id -d 'Project id [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l region -d 'Region id, e.g. cn-north-4; gives the endpoint from the SDK\'s region table' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l endpoint -d 'DataArts endpoint URL; overrides the region (emulator, private clouds, .myhuaweicloud.eu)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l workspace -d 'Workspace id, sent as the `workspace` header [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l credentials-file -d 'The SDK credentials file [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l all -d 'Export every job in the workspace (batch and real-time)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l no-depend -d 'Do not export the scripts and resources the jobs depend on'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l submitted -d 'Export the submitted version instead of the latest saved one'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l keep-going -d 'Isolate names a batch is refused for, export the rest, list what failed (exit 4)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l no-archive -d 'With --extract: keep no zip archive'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l force -d 'Overwrite an existing archive; replace existing jobs/<job>/ directories'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l dry-run -d 'Print each request that would be sent (secrets redacted); send nothing'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l json -d 'Print a JSON summary on stdout instead of the text summary'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l match -d 'Keep only names matching GLOB (repeatable; patterns combine with OR)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l type -d 'Job type to list' -r -f -a "batch\t''
real-time\t''
all\t''"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l project-id -d 'Project id [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l region -d 'Region id, e.g. cn-north-4; gives the endpoint from the SDK\'s region table' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l endpoint -d 'DataArts endpoint URL; overrides the region (emulator, private clouds, .myhuaweicloud.eu)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l workspace -d 'Workspace id, sent as the `workspace` header [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l credentials-file -d 'The SDK credentials file [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l json -d 'Print the API\'s job objects as a JSON array'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l dry-run -d 'Print each request that would be sent (secrets redacted); send nothing'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s C -l directory -d 'Extract into DIR' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -l max-size -d 'Refuse archives that inflate to more (e.g. 500M, 4GiB)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -l force -d 'Replace existing jobs/<job>/ directories and overwrite existing files'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -l json -d 'Print a JSON summary on stdout instead of the text summary'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l listen -d 'Address to listen on (port 0 picks a free one)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l data -d 'Serve DIR/jobs/<job>/... (workspace <id> in DIR/workspaces/<id>/jobs/) instead of the sample' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l ak -d 'Access key the emulator accepts [default: a fixed fake key]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l sk -d 'Secret key the emulator accepts [default: a fixed fake key]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l project-id -d 'The one project id served (others get 403)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l region -d 'The region IAM\'s project lookup answers for' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l auth-token -d 'Also accept this IAM token as X-Auth-Token' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l request-log -d 'Append one JSON line per request (secrets redacted) to FILE' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l offset-unit -d 'How list jobs counts `offset`' -r -f -a "records\t''
pages\t''"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l tls-cert -d 'Serve HTTPS with this PEM certificate (chain, leaf first); needs --tls-key. A self-signed one must not be marked as a CA (CA:FALSE): rustls clients refuse that' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l tls-key -d 'The PEM private key of --tls-cert' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l iam-projects -d 'How many projects IAM\'s lookup finds for --region (0 or several rehearse a client\'s errors)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l fail-first -d 'Fault: fail only the first N batch-export requests (with --fail-status)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l fail-status -d 'Fault: the status for failed batch exports [default: 503]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l retry-after -d 'Fault: send Retry-After: SECS with failures' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l first-byte-delay -d 'Fault: delay the first byte of export bodies' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l truncate-body -d 'Fault: cut export bodies short after BYTES' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l reset-after -d 'Fault: reset the connection after BYTES of an export body' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l rate-limit -d 'Fault: answer 429 APIG.0308 above RPS requests a second (no burst)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l latency -d 'Fault: add MS of latency to every request' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand demo" -s C -l directory -d 'Where to write jobs.zip and the extracted jobs/ tree' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand demo" -l force -d 'Replace an earlier demo\'s output'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand demo" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand demo" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand demo" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand completions" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand completions" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand completions" -s V -l version -d 'Print version'
