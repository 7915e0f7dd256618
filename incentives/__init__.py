"""What is owed: the policy file, the clauses as pure rules, and simulation of scenarios."""
