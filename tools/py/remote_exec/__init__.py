"""A local Remote Execution engine (BuildGrid, PostgreSQL, buildbox workers): tools/remote-exec."""
