"""AWS reads shared by the tools and diagnosis."""
