"""kbsync in GitHub Actions: where the repository is, the action's script, PR comments."""
