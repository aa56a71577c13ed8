"""Quick replies (话术库): approved phrases found by words, Chinese without spaces included."""
