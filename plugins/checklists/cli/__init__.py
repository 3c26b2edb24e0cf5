"""The command line: `checklists` and its subcommands (`main`, `commands`), `checklists
init` and `checklists new` (`init`, `scaffold`). It may import every other role."""
