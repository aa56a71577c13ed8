"""Daily figures per agent from the platform's export, and the star agent of the month chosen from them."""
