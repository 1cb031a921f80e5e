//! `workspaces`: the project's DataArts Studio workspaces, through the
//! Management Center on the studio endpoint. For people (a terminal, or
//! `--long`) a table; piped, `id<TAB>name` a line; `--json` the API's
//! workspace objects, each with its `instance_id` and `instance_name`.

use anyhow::Context as _;

use crate::api::studio::Workspace;
use crate::cli::{WorkspaceArgs, WorkspacesArgs};
use crate::config;
use crate::output::Printer;
use crate::text::escape_controls;

use super::{connect, Context};

/// How the listing is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `id<TAB>name`.
    Pairs,
    /// Aligned columns under a header (a terminal).
    Table,
    /// Tab-separated columns under a header (`--long`, piped).
    Long,
    Json,
}

const HEADER: [&str; 4] = ["ID", "NAME", "INSTANCE", "DEFAULT"];

pub async fn run(args: WorkspacesArgs, ctx: &Context) -> anyhow::Result<()> {
    let printer = &ctx.printer;
    let style = match (args.json, args.long, printer.stdout_is_terminal()) {
        (true, _, _) => Style::Json,
        (false, _, true) => Style::Table,
        (false, true, false) => Style::Long,
        (false, false, false) => Style::Pairs,
    };
    // The Management Center lists the workspaces of the project: no
    // workspace is chosen (nor looked up) for it.
    let settings = config::resolve(&args.connection, &WorkspaceArgs::default(), &ctx.env)?;
    let studio = settings.studio()?.value.clone();
    let client = connect(&settings, printer).await?;
    let workspaces = super::list_workspaces(&client, studio, printer).await?;
    print(&workspaces, style, printer).context("cannot write to stdout")
}

fn print(workspaces: &[Workspace], style: Style, printer: &Printer) -> std::io::Result<()> {
    match style {
        Style::Json => {
            let raw: Vec<&serde_json::Value> = workspaces.iter().map(|w| &w.raw).collect();
            printer.json_value(&serde_json::json!({"format": 1, "workspaces": raw}))
        }
        Style::Pairs => {
            for workspace in workspaces {
                printer.line(&format!(
                    "{}\t{}",
                    escape_controls(&workspace.id),
                    escape_controls(&workspace.name)
                ))?;
            }
            Ok(())
        }
        Style::Long => {
            printer.line(&HEADER.join("\t"))?;
            for workspace in workspaces {
                printer.line(&cells(workspace).join("\t"))?;
            }
            Ok(())
        }
        Style::Table => {
            let rows: Vec<[String; 4]> = workspaces.iter().map(cells).collect();
            for line in table(&rows) {
                printer.line(&line)?;
            }
            Ok(())
        }
    }
}

/// ID, NAME, INSTANCE, DEFAULT, escaped.
fn cells(workspace: &Workspace) -> [String; 4] {
    [
        escape_controls(&workspace.id),
        escape_controls(&workspace.name),
        escape_controls(&workspace.instance.name),
        if workspace.is_default { "yes" } else { "-" }.to_string(),
    ]
}

/// Columns padded to their widest cell, under the header.
fn table(rows: &[[String; 4]]) -> Vec<String> {
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            text.push_str(cell);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(widths[i] - cell.chars().count() + 2));
            }
        }
        text
    };
    let mut lines = vec![line(HEADER)];
    lines.extend(
        rows.iter()
            .map(|row| line([&row[0], &row[1], &row[2], &row[3]])),
    );
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::studio::Instance;

    #[test]
    fn tables_align_and_server_text_is_escaped() {
        let workspace = Workspace {
            id: "ws-1".into(),
            name: "prod\u{1b}[31m".into(),
            instance: Instance {
                id: "i".into(),
                name: "main".into(),
            },
            is_default: true,
            raw: serde_json::json!({}),
        };
        let lines = table(&[cells(&workspace)]);
        assert_eq!(lines[0], "ID    NAME            INSTANCE  DEFAULT");
        assert_eq!(lines[1], "ws-1  prod\\u{1b}[31m  main      yes");
    }
}
