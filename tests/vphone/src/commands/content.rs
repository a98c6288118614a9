//! `content query --uri content://media/external/... [--projection a:b]`: the media store's rows,
//! printed like Android's `content` tool (`Row: 0 _id=1000, _data=/storage/emulated/0/...`).

use super::{Ctx, Output};
use crate::media::{COLUMNS, parse_uri};

const DEFAULT_COLUMNS: [&str; 5] = ["_id", "_data", "_display_name", "mime_type", "_size"];

pub fn content(ctx: &mut Ctx<'_>, args: &[&str]) -> Output {
    let Some((&"query", options)) = args.split_first() else {
        return usage();
    };
    let mut uri = None;
    let mut projection = None;
    let mut options = options.iter();
    while let Some(option) = options.next() {
        match (*option, options.next()) {
            ("--uri", Some(value)) => uri = Some(*value),
            ("--projection", Some(value)) => projection = Some(*value),
            ("--user", Some(_)) => {}
            _ => return usage(),
        }
    }
    let Some(uri) = uri else {
        return usage();
    };
    let Some((collection, id)) = parse_uri(uri) else {
        return Output::fail(
            1,
            format!(
                "Error while accessing provider:{}\njava.lang.IllegalArgumentException: Unknown URL {uri}\n",
                authority(uri)
            ),
        );
    };
    let columns: Vec<&str> = match projection {
        Some(p) => p.split(':').filter(|c| !c.is_empty()).collect(),
        None => DEFAULT_COLUMNS.to_vec(),
    };
    if let Some(column) = columns.iter().find(|c| !COLUMNS.contains(c)) {
        return Output::fail(
            1,
            format!(
                "Error while accessing provider:media\njava.lang.IllegalArgumentException: Invalid column {column}\n"
            ),
        );
    }
    let rows = ctx.phone.app.media().query(collection, id);
    let mut out = Output::ok();
    if rows.is_empty() {
        out.out("No result found.\n");
        return out;
    }
    for (n, item) in rows.iter().enumerate() {
        let fields: Vec<String> = columns
            .iter()
            .map(|column| format!("{column}={}", item.column(column).unwrap_or_default()))
            .collect();
        out.out(format!("Row: {n} {}\n", fields.join(", ")));
    }
    out
}

fn authority(uri: &str) -> &str {
    uri.strip_prefix("content://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(uri)
}

fn usage() -> Output {
    Output::fail(
        1,
        "usage: adb shell content query --uri <URI> [--user <USER_ID>] [--projection <PROJECTION>]\n\
         (only --uri, --projection and --user are supported by this phone)\n",
    )
}
