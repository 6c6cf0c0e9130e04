from tests.fakenemo.fixtures import fake_config, fake_nemo

__all__ = ["fake_config", "fake_nemo"]
