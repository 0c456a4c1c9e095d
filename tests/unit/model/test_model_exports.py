import ironbridge.model


def test_all_lists_exactly_the_public_names_of_the_package() -> None:
    exported = {
        name
        for name in vars(ironbridge.model)
        if not name.startswith("_")
        and getattr(getattr(ironbridge.model, name), "__module__", "").startswith("ironbridge")
    }
    assert set(ironbridge.model.__all__) >= exported
    for name in ironbridge.model.__all__:
        assert hasattr(ironbridge.model, name), name
