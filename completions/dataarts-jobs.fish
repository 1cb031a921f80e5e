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
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "backup" -d 'Keep a directory an exact, git-friendly mirror of a workspace'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "import" -d 'Upload an archive or a jobs/ tree to OBS, import it into a workspace, wait, verify'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "migrate" -d 'Export jobs from one workspace and import them into another, verified'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "task" -d 'Show (or wait for) an import\'s system task'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "list" -d 'List the jobs of a workspace (a table on a terminal, names when piped)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "workspaces" -d 'List the project\'s DataArts Studio workspaces'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "doctor" -d 'Show every setting in effect, where it came from, and check it live'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "unpack" -d 'Safely extract a jobs.zip into DIR/jobs/<job>/...'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "emulator" -d 'Run a local DataArts emulator: DLF, IAM, Management Center and OBS'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "demo" -d 'Zero-setup quick start: export and extract sample jobs from an in-process emulator'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l jobs-from -d 'More job names, one a line (\'-\' = stdin; blank lines and lines starting with # skipped)' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l match -d 'Keep only names matching GLOB (repeatable; patterns combine with OR)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s o -l output -d 'Archive path; \'-\' writes the zip to stdout' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s C -l directory -d 'Extract into DIR (implies --extract)' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l batch-size -d 'Names per export request (the API takes at most 100)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l parallel -d 'Concurrent requests (export batches, list pages)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l max-size -d 'Refuse archives larger than SIZE, downloaded or inflated (e.g. 500M, 4GiB)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l workspace -d 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l workspace-name -d 'The workspace by its name, looked up with the Management Center' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l project-id -d 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l region -d 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs\' region tables [env: HUAWEICLOUD_SDK_REGION_ID]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l endpoint -d 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l studio-endpoint -d 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l obs-endpoint -d 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l credentials-file -d 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l all -d 'Every job in the workspace (batch and real-time)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l no-depend -d 'Do not export the scripts and resources the jobs depend on'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l submitted -d 'Export the submitted version instead of the latest saved one'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l keep-going -d 'Isolate names a batch is refused for, export the rest, list what failed (exit 4)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s x -l extract -d 'Also extract the archive, giving DIR/jobs/<job>/... (DIR is . unless -C)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l no-archive -d 'With --extract: keep no zip archive'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l force -d 'Overwrite an existing archive; replace existing jobs/<job>/ directories'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l dry-run -d 'Print each request it would send (secrets redacted) and the files it would write; export nothing'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -l json -d 'Print a JSON summary on stdout instead of the text summary'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand export" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l match -d 'Keep only jobs whose names match GLOB (repeatable; recorded in the manifest)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l batch-size -d 'Names per export request (the API takes at most 100)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l parallel -d 'Concurrent requests (export batches, list pages)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l max-size -d 'Refuse archives larger than SIZE, downloaded or inflated (e.g. 500M, 4GiB)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l workspace -d 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l workspace-name -d 'The workspace by its name, looked up with the Management Center' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l project-id -d 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l region -d 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs\' region tables [env: HUAWEICLOUD_SDK_REGION_ID]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l endpoint -d 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l studio-endpoint -d 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l obs-endpoint -d 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l credentials-file -d 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l all-workspaces -d 'Mirror every workspace of the project into DIR/workspaces/<id>/'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l check -d 'Compare only: exit 0 when DIR is an exact mirror, 7 when it is not; change nothing'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l keep-going -d 'Keep a job the API refuses as it was, back up the rest, list what failed (exit 4)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l force -d 'Go ahead although DIR\'s manifest names another source, the listing is empty, or an unrecorded directory stands where a job goes'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l dry-run -d 'Show what would be added, changed and removed; change nothing'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -l json -d 'Print a JSON summary on stdout instead of the text summary'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand backup" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l obs-bucket -d 'The OBS bucket archives are staged in (it must be readable by DataArts Studio)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l obs-prefix -d 'Key prefix of the staged archives (a folder: `/` is added if missing)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l same-name -d 'What to do with jobs (and scripts) of the same name in the target' -r -f -a "skip\t''
overwrite\t''"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l param -d 'A public job parameter for the imported jobs (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l job-param -d 'A parameter of one job (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l map -d 'Replace a resource (connection, cluster) the jobs reference (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l target-status -d 'The status imported jobs get when approval is on' -r -f -a "saved\t''
submitted\t''
production\t''"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l approver -d 'An approver, when approval is on (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l execute-user -d 'The user the imported jobs run as' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l wait-timeout -d 'How long to wait for the system task, in seconds (--timeout stays per request)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l workspace -d 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l workspace-name -d 'The workspace by its name, looked up with the Management Center' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l project-id -d 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l region -d 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs\' region tables [env: HUAWEICLOUD_SDK_REGION_ID]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l endpoint -d 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l studio-endpoint -d 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l obs-endpoint -d 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l credentials-file -d 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l allow-missing -d 'Import even when the pre-flight finds resources missing in the target'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l no-wait -d 'Stop once the import has started (the task id is printed; `task ID --wait` resumes)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l keep-staging -d 'Keep the staged archives in OBS'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l dry-run -d 'Print the plan (archives, keys, the import body); upload and import nothing'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -l json -d 'Print a JSON summary on stdout instead of the text summary'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand import" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l jobs-from -d 'More job names, one a line (\'-\' = stdin; blank lines and lines starting with # skipped)' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l match -d 'Keep only names matching GLOB (repeatable; patterns combine with OR)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l from-workspace -d 'The source workspace id [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l from-workspace-name -d 'The source workspace by its name' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l to-workspace -d 'The target workspace id' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l to-workspace-name -d 'The target workspace by its name' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l to-project-id -d 'The target project [default: the source\'s]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l to-region -d 'The target region [default: the source\'s]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l to-endpoint -d 'The target DLF endpoint [default: the source\'s, or the target region\'s]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l batch-size -d 'Names per export request (the API takes at most 100)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l obs-bucket -d 'The OBS bucket archives are staged in (it must be readable by DataArts Studio)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l obs-prefix -d 'Key prefix of the staged archives (a folder: `/` is added if missing)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l same-name -d 'What to do with jobs (and scripts) of the same name in the target' -r -f -a "skip\t''
overwrite\t''"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l param -d 'A public job parameter for the imported jobs (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l job-param -d 'A parameter of one job (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l map -d 'Replace a resource (connection, cluster) the jobs reference (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l target-status -d 'The status imported jobs get when approval is on' -r -f -a "saved\t''
submitted\t''
production\t''"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l approver -d 'An approver, when approval is on (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l execute-user -d 'The user the imported jobs run as' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l wait-timeout -d 'How long to wait for the system task, in seconds (--timeout stays per request)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l project-id -d 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l region -d 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs\' region tables [env: HUAWEICLOUD_SDK_REGION_ID]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l endpoint -d 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l studio-endpoint -d 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l obs-endpoint -d 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l credentials-file -d 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l all -d 'Every job in the workspace (batch and real-time)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l keep-going -d 'Isolate names an export batch is refused for, migrate the rest (exit 4)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l allow-missing -d 'Import even when the pre-flight finds resources missing in the target'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l no-wait -d 'Stop once the import has started (the task id is printed; `task ID --wait` resumes)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l keep-staging -d 'Keep the staged archives in OBS'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l dry-run -d 'Print the plan (archives, keys, the import body); upload and import nothing'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -l json -d 'Print a JSON summary on stdout instead of the text summary'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l wait-timeout -d 'With --wait: how long to wait, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l workspace -d 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l workspace-name -d 'The workspace by its name, looked up with the Management Center' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l project-id -d 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l region -d 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs\' region tables [env: HUAWEICLOUD_SDK_REGION_ID]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l endpoint -d 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l studio-endpoint -d 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l obs-endpoint -d 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l credentials-file -d 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l wait -d 'Poll until the task ends'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -l json -d 'Print the API\'s task object as JSON on stdout'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand task" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l match -d 'Keep only names matching GLOB (repeatable; patterns combine with OR)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l type -d 'Job type to list' -r -f -a "batch\t''
real-time\t''
all\t''"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l parallel -d 'Concurrent page requests once the total is known' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l workspace -d 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l workspace-name -d 'The workspace by its name, looked up with the Management Center' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l project-id -d 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l region -d 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs\' region tables [env: HUAWEICLOUD_SDK_REGION_ID]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l endpoint -d 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l studio-endpoint -d 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l obs-endpoint -d 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l credentials-file -d 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l long -d 'A table even when piped: tab-separated, times in ISO-8601 UTC'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l json -d 'Print {"format": 1, "jobs": [...]} with the API\'s job objects'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -l dry-run -d 'Print the first request of each listing (secrets redacted); send nothing'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand list" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l project-id -d 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l region -d 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs\' region tables [env: HUAWEICLOUD_SDK_REGION_ID]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l endpoint -d 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l studio-endpoint -d 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l obs-endpoint -d 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l credentials-file -d 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l long -d 'A table even when piped: tab-separated'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -l json -d 'Print {"format": 1, "workspaces": [...]}'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand workspaces" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l workspace -d 'Workspace id, sent as the `workspace` header [env: DATAARTS_WORKSPACE] [default: the default workspace]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l workspace-name -d 'The workspace by its name, looked up with the Management Center' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l project-id -d 'Project id [env: HUAWEICLOUD_SDK_PROJECT_ID] [default: the credentials file\'s project_id, else looked up with IAM]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l region -d 'Region id, e.g. cn-north-4: gives every endpoint from the SDKs\' region tables [env: HUAWEICLOUD_SDK_REGION_ID]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l endpoint -d 'DataArts Factory (DLF) endpoint URL; overrides the region [env: DATAARTS_ENDPOINT]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l iam-endpoint -d 'IAM endpoint for the project-id lookup [env: HUAWEICLOUD_SDK_IAM_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l studio-endpoint -d 'DataArts Studio Management Center endpoint (workspaces) [env: DATAARTS_STUDIO_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l obs-endpoint -d 'OBS endpoint (import and migrate) [env: DATAARTS_OBS_ENDPOINT] [default: from the region]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l credentials-file -d 'The SDK credentials file [env: HUAWEICLOUD_SDK_CREDENTIALS_FILE] [default: ~/.huaweicloud/credentials]' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l profile -d 'Section of the credentials file (or KooCLI profile) to use [default: basic]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l auth-token-file -d 'File holding an IAM token, sent as X-Auth-Token instead of signing' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l timeout -d 'Connect timeout and read-inactivity timeout, in seconds' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l retries -d 'Retries of transient failures (connect, timeout, 429, 5xx, cut body)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l ca-cert -d 'Extra trusted root certificate (PEM); HTTPS_PROXY and NO_PROXY are honoured' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -l json -d 'Print the settings and the check as JSON on stdout'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s C -l directory -d 'Extract into DIR' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -l max-size -d 'Refuse archives that inflate to more (e.g. 500M, 4GiB)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -l force -d 'Replace existing jobs/<job>/ directories and overwrite existing files'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -l json -d 'Print a JSON summary on stdout instead of the text summary'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s q -l quiet -d 'Print errors only'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s v -l verbose -d 'One line per request on stderr; -vv adds headers (secrets redacted)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand unpack" -s V -l version -d 'Print version'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l listen -d 'Address to listen on (port 0 picks a free one)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l obs-listen -d 'Address of the OBS listener (port 0 picks a free one)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l data -d 'Serve DIR/jobs/<job>/... and DIR/scripts/<name>.json (workspace <id> in DIR/workspaces/<id>/) instead of the sample; a backup directory lists back what its manifest recorded' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l ak -d 'Access key the emulator accepts [default: a fixed fake key]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l sk -d 'Secret key the emulator accepts [default: a fixed fake key]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l security-token -d 'Also accept this security token (temporary keys) and require it with the keys' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l project-id -d 'The one project id served (others get 403) [default: a fixed fake id]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l region -d 'The region IAM\'s project lookup answers for' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l auth-token -d 'Also accept this IAM token as X-Auth-Token' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l request-log -d 'Append one JSON line per request (secrets redacted) to FILE' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l offset-unit -d 'How list jobs and list scripts count `offset`' -r -f -a "records\t''
pages\t''"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l page-clamp -d 'Most records one page of list jobs or list scripts returns, whatever `limit` asks (a server that clamps)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l tls-cert -d 'Serve HTTPS with this PEM certificate (chain, leaf first); needs --tls-key. A self-signed one must not be marked as a CA (CA:FALSE): rustls clients refuse that' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l tls-key -d 'The PEM private key of --tls-cert' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l iam-projects -d 'How many projects IAM\'s lookup finds for --region (0 or several rehearse a client\'s errors)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l task-polls -d 'Polls an import\'s system task stays RUNNING before its final status' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l fail-import -d 'Fail this job\'s subtask in imports: the task ends WARNING, or FAILED when no job succeeds (repeatable)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l connections -d 'The connections each workspace has, for check-file: {"<workspace id or default>": [{"name", "type"}]}' -r -F
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l fail-first -d 'Fault: fail only the first N batch-export requests (with --fail-status)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l fail-status -d 'Fault: the status for failed batch exports [default: 503]' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l retry-after -d 'Fault: send Retry-After: SECS with failures' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l first-byte-delay -d 'Fault: delay the first byte of export bodies' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l truncate-body -d 'Fault: cut export bodies short after BYTES' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l reset-after -d 'Fault: reset the connection after BYTES of an export body' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l list-total -d 'Fault: list jobs and list scripts lie about `total`' -r -f -a "missing\t'No `total` field at all'
low\t'Half the real number'
huge\t'10^15'"
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l clock-offset -d 'Fault: the server\'s clock runs SECS ahead (negative: behind) of this machine\'s' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l rate-limit -d 'Fault: answer 429 APIG.0308 above RPS requests a second (no burst)' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l latency -d 'Fault: add MS of latency to every request' -r
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l endless-body -d 'Fault: export bodies never end (zip bytes, then filler, forever)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand emulator" -l echo-secrets -d 'Fault: error messages (401 answers, failed import subtasks) echo the request\'s security token and signature, with a terminal escape sequence, as a careless service might'
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
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "export" -d 'Export jobs into a zip archive, and optionally extract them'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "backup" -d 'Keep a directory an exact, git-friendly mirror of a workspace'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "import" -d 'Upload an archive or a jobs/ tree to OBS, import it into a workspace, wait, verify'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "migrate" -d 'Export jobs from one workspace and import them into another, verified'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "task" -d 'Show (or wait for) an import\'s system task'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "list" -d 'List the jobs of a workspace (a table on a terminal, names when piped)'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "workspaces" -d 'List the project\'s DataArts Studio workspaces'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "doctor" -d 'Show every setting in effect, where it came from, and check it live'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "unpack" -d 'Safely extract a jobs.zip into DIR/jobs/<job>/...'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "emulator" -d 'Run a local DataArts emulator: DLF, IAM, Management Center and OBS'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "demo" -d 'Zero-setup quick start: export and extract sample jobs from an in-process emulator'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c dataarts-jobs -n "__fish_dataarts_jobs_using_subcommand help; and not __fish_seen_subcommand_from export backup import migrate task list workspaces doctor unpack emulator demo completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
