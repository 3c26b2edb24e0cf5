"""The command line: `checklists` and its subcommands (`main`, `commands`), `checklists
init` and `checklists new` (`init`, `scaffold`), and what programs beside the engine read
of a site (`programs`, exported by the public API). It may import every other role."""
