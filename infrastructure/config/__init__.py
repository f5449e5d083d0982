"""The settings of the service: the one module that reads the environment."""
