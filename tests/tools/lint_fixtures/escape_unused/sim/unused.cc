// Fixture: an escape that suppresses nothing only warns.
// determinism-lint: allow(stale: the clock read below was removed)
int answer() { return 42; }
