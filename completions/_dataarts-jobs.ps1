
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
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Keep a directory an exact, git-friendly mirror of a workspace')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Upload an archive or a jobs/ tree to OBS, import it into a workspace, wait, verify')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Export jobs from one workspace and import them into another, verified')
            [CompletionResult]::new('task', 'task', [CompletionResultType]::ParameterValue, 'Show (or wait for) an import''s system task')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the jobs of a workspace (a table on a terminal, names when piped)')
            [CompletionResult]::new('workspaces', 'workspaces', [CompletionResultType]::ParameterValue, 'List the project''s DataArts Studio workspaces')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Show every setting in effect, where it came from, and check it live')
            [CompletionResult]::new('unpack', 'unpack', [CompletionResultType]::ParameterValue, 'Safely extract a jobs.zip into DIR/jobs/<job>/...')
            [CompletionResult]::new('emulator', 'emulator', [CompletionResultType]::ParameterValue, 'Run a local DataArts emulator: DLF, IAM, Management Center and OBS')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Zero-setup quick start: export and extract sample jobs from an in-process emulator')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dataarts-jobs;export' {
            [CompletionResult]::new('--jobs-from', '--jobs-from', [CompletionResultType]::ParameterName, 'More job names, one a line (''-'' = stdin; blank lines and lines starting with # skipped)')
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Keep only names matching GLOB (repeatable; patterns combine with OR)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Archive path; ''-'' writes the zip to stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Archive path; ''-'' writes the zip to stdout')
            [CompletionResult]::new('-C', '-C ', [CompletionResultType]::ParameterName, 'Extract into DIR (implies --extract)')
            [CompletionResult]::new('--directory', '--directory', [CompletionResultType]::ParameterName, 'Extract into DIR (implies --extract)')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Names per export request (the API takes at most 100)')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Concurrent requests (export batches, list pages)')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'Refuse archives larger than SIZE, downloaded or inflated (e.g. 500M, 4GiB)')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]')
            [CompletionResult]::new('--workspace-name', '--workspace-name', [CompletionResultType]::ParameterName, 'The workspace by its name, looked up with the Management Center')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs'' region tables [env: HUAWEICLOUD_SDK_REGION_ID]')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--studio-endpoint', '--studio-endpoint', [CompletionResultType]::ParameterName, 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--obs-endpoint', '--obs-endpoint', [CompletionResultType]::ParameterName, 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every job in the workspace (batch and real-time)')
            [CompletionResult]::new('--no-depend', '--no-depend', [CompletionResultType]::ParameterName, 'Do not export the scripts and resources the jobs depend on')
            [CompletionResult]::new('--submitted', '--submitted', [CompletionResultType]::ParameterName, 'Export the submitted version instead of the latest saved one')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Isolate names a batch is refused for, export the rest, list what failed (exit 4)')
            [CompletionResult]::new('-x', '-x', [CompletionResultType]::ParameterName, 'Also extract the archive, giving DIR/jobs/<job>/... (DIR is . unless -C)')
            [CompletionResult]::new('--extract', '--extract', [CompletionResultType]::ParameterName, 'Also extract the archive, giving DIR/jobs/<job>/... (DIR is . unless -C)')
            [CompletionResult]::new('--no-archive', '--no-archive', [CompletionResultType]::ParameterName, 'With --extract: keep no zip archive')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite an existing archive; replace existing jobs/<job>/ directories')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print each request it would send (secrets redacted) and the files it would write; export nothing')
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
        'dataarts-jobs;backup' {
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Keep only jobs whose names match GLOB (repeatable; recorded in the manifest)')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Names per export request (the API takes at most 100)')
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Concurrent requests (export batches, list pages)')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'Refuse archives larger than SIZE, downloaded or inflated (e.g. 500M, 4GiB)')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]')
            [CompletionResult]::new('--workspace-name', '--workspace-name', [CompletionResultType]::ParameterName, 'The workspace by its name, looked up with the Management Center')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs'' region tables [env: HUAWEICLOUD_SDK_REGION_ID]')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--studio-endpoint', '--studio-endpoint', [CompletionResultType]::ParameterName, 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--obs-endpoint', '--obs-endpoint', [CompletionResultType]::ParameterName, 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--all-workspaces', '--all-workspaces', [CompletionResultType]::ParameterName, 'Mirror every workspace of the project into DIR/workspaces/<id>/')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Compare only: exit 0 when DIR is an exact mirror, 7 when it is not; change nothing')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Keep a job the API refuses as it was, back up the rest, list what failed (exit 4)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Go ahead although DIR''s manifest names another source, the listing is empty, or an unrecorded directory stands where a job goes')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show what would be added, changed and removed; change nothing')
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
        'dataarts-jobs;import' {
            [CompletionResult]::new('--obs-bucket', '--obs-bucket', [CompletionResultType]::ParameterName, 'The OBS bucket archives are staged in (it must be readable by DataArts Studio)')
            [CompletionResult]::new('--obs-prefix', '--obs-prefix', [CompletionResultType]::ParameterName, 'Key prefix of the staged archives (a folder: `/` is added if missing)')
            [CompletionResult]::new('--same-name', '--same-name', [CompletionResultType]::ParameterName, 'What to do with jobs (and scripts) of the same name in the target')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'A public job parameter for the imported jobs (repeatable)')
            [CompletionResult]::new('--job-param', '--job-param', [CompletionResultType]::ParameterName, 'A parameter of one job (repeatable)')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Replace a resource (connection, cluster) the jobs reference (repeatable)')
            [CompletionResult]::new('--target-status', '--target-status', [CompletionResultType]::ParameterName, 'The status imported jobs get when approval is on')
            [CompletionResult]::new('--approver', '--approver', [CompletionResultType]::ParameterName, 'An approver, when approval is on (repeatable)')
            [CompletionResult]::new('--execute-user', '--execute-user', [CompletionResultType]::ParameterName, 'The user the imported jobs run as')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the system task, in seconds (--timeout stays per request)')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]')
            [CompletionResult]::new('--workspace-name', '--workspace-name', [CompletionResultType]::ParameterName, 'The workspace by its name, looked up with the Management Center')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs'' region tables [env: HUAWEICLOUD_SDK_REGION_ID]')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--studio-endpoint', '--studio-endpoint', [CompletionResultType]::ParameterName, 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--obs-endpoint', '--obs-endpoint', [CompletionResultType]::ParameterName, 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--allow-missing', '--allow-missing', [CompletionResultType]::ParameterName, 'Import even when the pre-flight finds resources missing in the target')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Stop once the import has started (the task id is printed; `task ID --wait` resumes)')
            [CompletionResult]::new('--keep-staging', '--keep-staging', [CompletionResultType]::ParameterName, 'Keep the staged archives in OBS')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (archives, keys, the import body); upload and import nothing')
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
        'dataarts-jobs;migrate' {
            [CompletionResult]::new('--jobs-from', '--jobs-from', [CompletionResultType]::ParameterName, 'More job names, one a line (''-'' = stdin; blank lines and lines starting with # skipped)')
            [CompletionResult]::new('--match', '--match', [CompletionResultType]::ParameterName, 'Keep only names matching GLOB (repeatable; patterns combine with OR)')
            [CompletionResult]::new('--from-workspace', '--from-workspace', [CompletionResultType]::ParameterName, 'The source workspace id [default: the default workspace]')
            [CompletionResult]::new('--from-workspace-name', '--from-workspace-name', [CompletionResultType]::ParameterName, 'The source workspace by its name')
            [CompletionResult]::new('--to-workspace', '--to-workspace', [CompletionResultType]::ParameterName, 'The target workspace id')
            [CompletionResult]::new('--to-workspace-name', '--to-workspace-name', [CompletionResultType]::ParameterName, 'The target workspace by its name')
            [CompletionResult]::new('--to-project-id', '--to-project-id', [CompletionResultType]::ParameterName, 'The target project [default: the source''s]')
            [CompletionResult]::new('--to-region', '--to-region', [CompletionResultType]::ParameterName, 'The target region [default: the source''s]')
            [CompletionResult]::new('--to-endpoint', '--to-endpoint', [CompletionResultType]::ParameterName, 'The target DLF endpoint [default: the source''s, or the target region''s]')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Names per export request (the API takes at most 100)')
            [CompletionResult]::new('--obs-bucket', '--obs-bucket', [CompletionResultType]::ParameterName, 'The OBS bucket archives are staged in (it must be readable by DataArts Studio)')
            [CompletionResult]::new('--obs-prefix', '--obs-prefix', [CompletionResultType]::ParameterName, 'Key prefix of the staged archives (a folder: `/` is added if missing)')
            [CompletionResult]::new('--same-name', '--same-name', [CompletionResultType]::ParameterName, 'What to do with jobs (and scripts) of the same name in the target')
            [CompletionResult]::new('--param', '--param', [CompletionResultType]::ParameterName, 'A public job parameter for the imported jobs (repeatable)')
            [CompletionResult]::new('--job-param', '--job-param', [CompletionResultType]::ParameterName, 'A parameter of one job (repeatable)')
            [CompletionResult]::new('--map', '--map', [CompletionResultType]::ParameterName, 'Replace a resource (connection, cluster) the jobs reference (repeatable)')
            [CompletionResult]::new('--target-status', '--target-status', [CompletionResultType]::ParameterName, 'The status imported jobs get when approval is on')
            [CompletionResult]::new('--approver', '--approver', [CompletionResultType]::ParameterName, 'An approver, when approval is on (repeatable)')
            [CompletionResult]::new('--execute-user', '--execute-user', [CompletionResultType]::ParameterName, 'The user the imported jobs run as')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the system task, in seconds (--timeout stays per request)')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs'' region tables [env: HUAWEICLOUD_SDK_REGION_ID]')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--studio-endpoint', '--studio-endpoint', [CompletionResultType]::ParameterName, 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--obs-endpoint', '--obs-endpoint', [CompletionResultType]::ParameterName, 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every job in the workspace (batch and real-time)')
            [CompletionResult]::new('--keep-going', '--keep-going', [CompletionResultType]::ParameterName, 'Isolate names an export batch is refused for, migrate the rest (exit 4)')
            [CompletionResult]::new('--allow-missing', '--allow-missing', [CompletionResultType]::ParameterName, 'Import even when the pre-flight finds resources missing in the target')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Stop once the import has started (the task id is printed; `task ID --wait` resumes)')
            [CompletionResult]::new('--keep-staging', '--keep-staging', [CompletionResultType]::ParameterName, 'Keep the staged archives in OBS')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (archives, keys, the import body); upload and import nothing')
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
        'dataarts-jobs;task' {
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'With --wait: how long to wait, in seconds')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]')
            [CompletionResult]::new('--workspace-name', '--workspace-name', [CompletionResultType]::ParameterName, 'The workspace by its name, looked up with the Management Center')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs'' region tables [env: HUAWEICLOUD_SDK_REGION_ID]')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--studio-endpoint', '--studio-endpoint', [CompletionResultType]::ParameterName, 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--obs-endpoint', '--obs-endpoint', [CompletionResultType]::ParameterName, 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Poll until the task ends')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the API''s task object as JSON on stdout')
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
            [CompletionResult]::new('--parallel', '--parallel', [CompletionResultType]::ParameterName, 'Concurrent page requests once the total is known')
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]')
            [CompletionResult]::new('--workspace-name', '--workspace-name', [CompletionResultType]::ParameterName, 'The workspace by its name, looked up with the Management Center')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs'' region tables [env: HUAWEICLOUD_SDK_REGION_ID]')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--studio-endpoint', '--studio-endpoint', [CompletionResultType]::ParameterName, 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--obs-endpoint', '--obs-endpoint', [CompletionResultType]::ParameterName, 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'A table even when piped: tab-separated, times in ISO-8601 UTC')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print {"format": 1, "jobs": [...]} with the API''s job objects')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the first request of each listing (secrets redacted); send nothing')
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
        'dataarts-jobs;workspaces' {
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs'' region tables [env: HUAWEICLOUD_SDK_REGION_ID]')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--studio-endpoint', '--studio-endpoint', [CompletionResultType]::ParameterName, 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--obs-endpoint', '--obs-endpoint', [CompletionResultType]::ParameterName, 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--long', '--long', [CompletionResultType]::ParameterName, 'A table even when piped: tab-separated')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print {"format": 1, "workspaces": [...]}')
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
        'dataarts-jobs;doctor' {
            [CompletionResult]::new('--workspace', '--workspace', [CompletionResultType]::ParameterName, 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]')
            [CompletionResult]::new('--workspace-name', '--workspace-name', [CompletionResultType]::ParameterName, 'The workspace by its name, looked up with the Management Center')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file''s project_id, else looked up with IAM]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs'' region tables [env: HUAWEICLOUD_SDK_REGION_ID]')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]')
            [CompletionResult]::new('--iam-endpoint', '--iam-endpoint', [CompletionResultType]::ParameterName, 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--studio-endpoint', '--studio-endpoint', [CompletionResultType]::ParameterName, 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--obs-endpoint', '--obs-endpoint', [CompletionResultType]::ParameterName, 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]')
            [CompletionResult]::new('--credentials-file', '--credentials-file', [CompletionResultType]::ParameterName, 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Section of the credentials file (or KooCLI profile) to use [default: basic]')
            [CompletionResult]::new('--auth-token-file', '--auth-token-file', [CompletionResultType]::ParameterName, 'File holding an IAM token, sent as X-Auth-Token instead of signing')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Connect timeout and read-inactivity timeout, in seconds')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)')
            [CompletionResult]::new('--ca-cert', '--ca-cert', [CompletionResultType]::ParameterName, 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the settings and the check as JSON on stdout')
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
            [CompletionResult]::new('--obs-listen', '--obs-listen', [CompletionResultType]::ParameterName, 'Address of the OBS listener (port 0 picks a free one)')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Serve DIR/jobs/<job>/... and DIR/scripts/<name>.json (workspace <id> in DIR/workspaces/<id>/) instead of the sample; a backup directory lists back what its manifest recorded')
            [CompletionResult]::new('--ak', '--ak', [CompletionResultType]::ParameterName, 'Access key the emulator accepts [default: a fixed fake key]')
            [CompletionResult]::new('--sk', '--sk', [CompletionResultType]::ParameterName, 'Secret key the emulator accepts [default: a fixed fake key]')
            [CompletionResult]::new('--security-token', '--security-token', [CompletionResultType]::ParameterName, 'Also accept this security token (temporary keys) and require it with the keys')
            [CompletionResult]::new('--project-id', '--project-id', [CompletionResultType]::ParameterName, 'The one project id served (others get 403) [default: a fixed fake id]')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The region IAM''s project lookup answers for')
            [CompletionResult]::new('--auth-token', '--auth-token', [CompletionResultType]::ParameterName, 'Also accept this IAM token as X-Auth-Token')
            [CompletionResult]::new('--request-log', '--request-log', [CompletionResultType]::ParameterName, 'Append one JSON line per request (secrets redacted) to FILE')
            [CompletionResult]::new('--offset-unit', '--offset-unit', [CompletionResultType]::ParameterName, 'How list jobs and list scripts count `offset`')
            [CompletionResult]::new('--page-clamp', '--page-clamp', [CompletionResultType]::ParameterName, 'Most records one page of list jobs or list scripts returns, whatever `limit` asks (a server that clamps)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Serve HTTPS with this PEM certificate (chain, leaf first); needs --tls-key. A self-signed one must not be marked as a CA (CA:FALSE): rustls clients refuse that')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The PEM private key of --tls-cert')
            [CompletionResult]::new('--iam-projects', '--iam-projects', [CompletionResultType]::ParameterName, 'How many projects IAM''s lookup finds for --region (0 or several rehearse a client''s errors)')
            [CompletionResult]::new('--task-polls', '--task-polls', [CompletionResultType]::ParameterName, 'Polls an import''s system task stays RUNNING before its final status')
            [CompletionResult]::new('--fail-import', '--fail-import', [CompletionResultType]::ParameterName, 'Fail this job''s subtask in imports: the task ends WARNING, or FAILED when no job succeeds (repeatable)')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'The connections each workspace has, for check-file: {"<workspace id or default>": [{"name", "type"}]}')
            [CompletionResult]::new('--fail-first', '--fail-first', [CompletionResultType]::ParameterName, 'Fault: fail only the first N batch-export requests (with --fail-status)')
            [CompletionResult]::new('--fail-status', '--fail-status', [CompletionResultType]::ParameterName, 'Fault: the status for failed batch exports [default: 503]')
            [CompletionResult]::new('--retry-after', '--retry-after', [CompletionResultType]::ParameterName, 'Fault: send Retry-After: SECS with failures')
            [CompletionResult]::new('--first-byte-delay', '--first-byte-delay', [CompletionResultType]::ParameterName, 'Fault: delay the first byte of export bodies')
            [CompletionResult]::new('--truncate-body', '--truncate-body', [CompletionResultType]::ParameterName, 'Fault: cut export bodies short after BYTES')
            [CompletionResult]::new('--reset-after', '--reset-after', [CompletionResultType]::ParameterName, 'Fault: reset the connection after BYTES of an export body')
            [CompletionResult]::new('--list-total', '--list-total', [CompletionResultType]::ParameterName, 'Fault: list jobs and list scripts lie about `total`')
            [CompletionResult]::new('--clock-offset', '--clock-offset', [CompletionResultType]::ParameterName, 'Fault: the server''s clock runs SECS ahead (negative: behind) of this machine''s')
            [CompletionResult]::new('--rate-limit', '--rate-limit', [CompletionResultType]::ParameterName, 'Fault: answer 429 APIG.0308 above RPS requests a second (no burst)')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Fault: add MS of latency to every request')
            [CompletionResult]::new('--endless-body', '--endless-body', [CompletionResultType]::ParameterName, 'Fault: export bodies never end (zip bytes, then filler, forever)')
            [CompletionResult]::new('--echo-secrets', '--echo-secrets', [CompletionResultType]::ParameterName, 'Fault: error messages (401 answers, failed import subtasks) echo the request''s security token and signature, with a terminal escape sequence, as a careless service might')
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
        'dataarts-jobs;help' {
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Export jobs into a zip archive, and optionally extract them')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Keep a directory an exact, git-friendly mirror of a workspace')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Upload an archive or a jobs/ tree to OBS, import it into a workspace, wait, verify')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Export jobs from one workspace and import them into another, verified')
            [CompletionResult]::new('task', 'task', [CompletionResultType]::ParameterValue, 'Show (or wait for) an import''s system task')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the jobs of a workspace (a table on a terminal, names when piped)')
            [CompletionResult]::new('workspaces', 'workspaces', [CompletionResultType]::ParameterValue, 'List the project''s DataArts Studio workspaces')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Show every setting in effect, where it came from, and check it live')
            [CompletionResult]::new('unpack', 'unpack', [CompletionResultType]::ParameterValue, 'Safely extract a jobs.zip into DIR/jobs/<job>/...')
            [CompletionResult]::new('emulator', 'emulator', [CompletionResultType]::ParameterValue, 'Run a local DataArts emulator: DLF, IAM, Management Center and OBS')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Zero-setup quick start: export and extract sample jobs from an in-process emulator')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'dataarts-jobs;help;export' {
            break
        }
        'dataarts-jobs;help;backup' {
            break
        }
        'dataarts-jobs;help;import' {
            break
        }
        'dataarts-jobs;help;migrate' {
            break
        }
        'dataarts-jobs;help;task' {
            break
        }
        'dataarts-jobs;help;list' {
            break
        }
        'dataarts-jobs;help;workspaces' {
            break
        }
        'dataarts-jobs;help;doctor' {
            break
        }
        'dataarts-jobs;help;unpack' {
            break
        }
        'dataarts-jobs;help;emulator' {
            break
        }
        'dataarts-jobs;help;demo' {
            break
        }
        'dataarts-jobs;help;completions' {
            break
        }
        'dataarts-jobs;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
