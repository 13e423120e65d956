"""faunalite: a local FaunaDB (FQL v10 engine on SQLite with FaunaDB's HTTP wire protocol)."""
