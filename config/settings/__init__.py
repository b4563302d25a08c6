"""Settings split by profile: base (shared), local, production, test."""
