"""Signal receivers of the accounts app (the welcome e-mail lives here)."""
