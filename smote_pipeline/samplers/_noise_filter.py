class NoiseFilter:  # placeholder
    pass
