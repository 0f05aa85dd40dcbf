//! The `confpart` command's dispatcher: a parsed [`Cli`] to what each command does
//! ([`crate::commands`], [`crate::serve`], [`crate::demo`]). Apart from the argument tree
//! ([`crate::cli`]), which those modules read, so that none of them depends on another
//! through it.

use confpart::client::Operation;

use crate::cli::{Cli, Command, EncodeCommand};
use crate::config::Dialect;
use crate::error::Error;
use crate::{commands, serve};

/// Runs a parsed command, printing on standard output.
pub fn run(cli: &Cli) -> Result<(), Error> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run_with(cli, &mut out)
}

/// Runs a parsed command, printing on `out`.
pub fn run_with(cli: &Cli, out: &mut dyn std::io::Write) -> Result<(), Error> {
    let g = &cli.global;
    match &cli.command {
        Command::Serve(args) => serve::serve(g, args, out),
        Command::Demo => crate::demo::run(g.dialect.map_or(Dialect::Twilio, Dialect::from), out),
        Command::Update(a) => commands::update(
            g,
            &a.target.conference,
            &a.target.participant,
            &a.fields,
            out,
        ),
        Command::Fetch(t) => commands::fetch(g, &t.conference, &t.participant, out),
        Command::Delete(t) => commands::delete(g, &t.conference, &t.participant, out),
        Command::List(a) => commands::list(g, a, out),
        Command::Create(a) => commands::create(g, a, out),
        Command::Encode(EncodeCommand::Update(e)) => commands::encode_update(
            g,
            &e.update.target.conference,
            &e.update.target.participant,
            &e.update.fields,
            e.show_auth,
            out,
        ),
        Command::Encode(EncodeCommand::Create(e)) => {
            let c = commands::create_from(&e.create)?;
            commands::encode(
                g,
                &e.create.conference,
                Operation::create(c.into()),
                e.show_auth,
                out,
            )
        }
        Command::Events(a) => {
            let dialect = g.dialect.map_or(Dialect::Twilio, Dialect::from);
            let mut opts = crate::events::EventsOptions::new(dialect, a.token.clone());
            opts.public_key = crate::events::public_key(dialect, a.public_key.as_deref())?;
            opts.public_url = a.public_url.clone();
            opts.json = g.json;
            crate::events::run(a.listen, &opts, out)
        }
        Command::Decode(d) => {
            let parts = d.parts();
            commands::decode(parts.kind, &parts.input.input, out)
        }
    }
}
