
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'dataarts-jobs' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'dataarts-jobs'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'dataarts-jobs' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export jobs into a zip archive, and optionally extract them')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Print the names of the jobs in a workspace, one a line')
            [CompletionResult]::new('unpack', 'unpack', [CompletionResultType]::ParameterValue, 'Safely extract a jobs.zip into DIR/jobs/<job>/...')
            [CompletionResult]::new('emulator', 'emulator', [CompletionResultType]::ParameterValue, 'Run a local DataArts Factory API emulator (for demos, tests and rehearsing scripts)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Zero-setup quick start: export and extract sample jobs from an in-process emulator')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            break
        }
        'dataarts-jobs;export' {
            [CompletionResult]::new('--jobs-from', '--jobs-from', [CompletionResultType]::ParameterName, 'Read more job names from FILE, one a line (''-'' = stdin; blank lines and # comments skipped)')
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Keep only names matching GLOB (repeatable; patterns combine with OR)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Archive path; ''-'' writes the zip to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Archive path; ''-'' writes the zip to stdout')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Also extract into DIR, giving DIR/jobs/<job>/...')
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Also extract into DIR, giving DIR/jobs/<job>/...')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Names per request (the API takes at most 100)')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Concurrent batch requests')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'With --extract: refuse archives that inflate to more (e.g. 500M, 4GiB)')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4; gives the endpoint from the SDK''s region table')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts endpoint URL; overrides the region (emulator, private clouds, .myhuaweicloud.eu)')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [default: from the region]')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace id, sent as the `workspace` header [default: the default workspace]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Export every job in the workspace (batch and real-time)')
            [CompletionResult]::new('--no-depend', '--no-depend', [CompletionResultType]::ParameterName, 'Do not export the scripts and resources the jobs depend on')
            [CompletionResult]::new('--submitted', '--submitted', [CompletionResultType]::ParameterName, 'Export the submitted version instead of the latest saved one')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Isolate names a batch is refused for, export the rest, list what failed (exit 4)')
            [CompletionResult]::new('--no-archive', '--no-archive', [CompletionResultType]::ParameterName, 'With --extract: keep no zip archive')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing archive; replace existing jobs/<job>/ directories')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print each request that would be sent (secrets redacted); send nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON summary on stdout instead of the text summary')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dataarts-jobs;list' {
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Keep only names matching GLOB (repeatable; patterns combine with OR)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'Job type to list')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4; gives the endpoint from the SDK''s region table')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts endpoint URL; overrides the region (emulator, private clouds, .myhuaweicloud.eu)')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [default: from the region]')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace id, sent as the `workspace` header [default: the default workspace]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the API''s job objects as a JSON array')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print each request that would be sent (secrets redacted); send nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dataarts-jobs;unpack' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Extract into DIR')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Extract into DIR')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'Refuse archives that inflate to more (e.g. 500M, 4GiB)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace existing jobs/<job>/ directories and overwrite existing files')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print a JSON summary on stdout instead of the text summary')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dataarts-jobs;emulator' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on (port 0 picks a free one)')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Serve DIR/jobs/<job>/... (workspace <id> in DIR/workspaces/<id>/jobs/) instead of the sample')
            [CompletionResult]::new('--ak', '--ak', [CompletionResultType]::ParameterName, 'Access key the emulator accepts [default: a fixed fake key]')
            [CompletionResult]::new('--sk', '--sk', [CompletionResultType]::ParameterName, 'Secret key the emulator accepts [default: a fixed fake key]')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'The one project id served (others get 403)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The region IAM''s project lookup answers for')
            [CompletionResult]::new('--auth-token', '--auth-token', [CompletionResultType]::ParameterName, 'Also accept this IAM token as X-Auth-Token')
            [CompletionResult]::new('--request-log', '--request-log', [CompletionResultType]::ParameterName, 'Append one JSON line per request (secrets redacted) to FILE')
            [CompletionResult]::new('--offset-unit', '--offset-unit', [CompletionResultType]::ParameterName, 'How list jobs counts `offset`')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate (chain, leaf first); needs --tls-key. A self-signed one must not be marked as a CA (CA:FALSE): rustls clients refuse that')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert')
            [CompletionResult]::new('--iam-projects', '--iam-projects', [CompletionResultType]::ParameterName, 'How many projects IAM''s lookup finds for --region (0 or several rehearse a client''s errors)')
            [CompletionResult]::new('--fail-first', '--fail-first', [CompletionResultType]::ParameterName, 'Fault: fail only the first N batch-export requests (with --fail-status)')
            [CompletionResult]::new('--fail-status', '--fail-status', [CompletionResultType]::ParameterName, 'Fault: the status for failed batch exports [default: 503]')
            [CompletionResult]::new('--retry-after', '--retry-after', [CompletionResultType]::ParameterName, 'Fault: send Retry-After: SECS with failures')
            [CompletionResult]::new('--first-byte-delay', '--first-byte-delay', [CompletionResultType]::ParameterName, 'Fault: delay the first byte of export bodies')
            [CompletionResult]::new('--truncate-body', '--truncate-body', [CompletionResultType]::ParameterName, 'Fault: cut export bodies short after BYTES')
            [CompletionResult]::new('--reset-after', '--reset-after', [CompletionResultType]::ParameterName, 'Fault: reset the connection after BYTES of an export body')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Fault: answer 429 APIG.0308 above RPS requests a second (no burst)')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Fault: add MS of latency to every request')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dataarts-jobs;demo' {
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Where to write jobs.zip and the extracted jobs/ tree')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Where to write jobs.zip and the extracted jobs/ tree')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an earlier demo''s output')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'dataarts-jobs;completions' {
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print errors only')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'One line per request on stderr; -vv adds headers (secrets redacted)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
