"""What every reader shares, once: epoch rules, column profiles and the inference that
chooses a mapping from them. Formats import the kit; the kit imports no format."""
