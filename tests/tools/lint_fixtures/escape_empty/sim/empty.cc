// Fixture: an escape without a reason is itself an error.
int roll() { return rand(); }  // determinism-lint: allow()
