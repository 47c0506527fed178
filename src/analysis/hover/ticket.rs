//! Hover on a ticket key in the Prevention table: the key's page in the team's tracker.

use super::Hover;
use crate::analysis::facts::Ctx;
use crate::analysis::links::ticket_at;

pub fn ticket_hover(ctx: &Ctx, offset: usize) -> Option<Hover> {
    let link = ticket_at(ctx, offset)?;
    Some(Hover {
        markdown: format!(
            "**Ticket {}**: [open it in the tracker]({})",
            link.key, link.url
        ),
        range: link.range,
    })
}

#[cfg(test)]
mod tests {
    use crate::analysis::facts::Ctx;
    use crate::analysis::hover::hover;
    use crate::analysis::schema::TicketPattern;
    use crate::analysis::{Env, Schema, parse};

    #[test]
    fn a_key_shows_its_tracker_page() {
        let mut schema = Schema::builtin();
        schema.ticket = TicketPattern::new("INC-[0-9]+").unwrap();
        schema.tracker_url = Some("https://t.example/{key}".into());
        let text = "## Prevention\n\n| Owner | Action | Target date |\n|-|-|-|\n| @kim | 🧯 Cap retries, INC-7 | 2026-05-20 |\n";
        let doc = parse(text);
        let env = Env {
            schema: &schema,
            ..Env::fixed()
        };
        let ctx = Ctx::new(text, &doc, &env);
        let at = text.find("INC-7").unwrap();
        let h = hover(&ctx, at + 2).expect("a hover on the key");
        assert_eq!(h.range, at..at + 5);
        assert_eq!(
            h.markdown,
            "**Ticket INC-7**: [open it in the tracker](https://t.example/INC-7)"
        );
        assert_eq!(hover(&ctx, text.find("Cap").unwrap()), None);
    }
}
