from ironbridge.model import Entity

URL_AND_EVENT_NAMES = [
    ("purchase-orders", "purchase_order"),
    ("work-orders", "work_order"),
    ("inventory-items", "inventory_item"),
    ("vendors", "vendor"),
    ("assets", "asset"),
    ("locations", "location"),
]


def test_entity_values_are_the_url_segments_of_the_api() -> None:
    assert [entity.value for entity in Entity] == [url for url, _ in URL_AND_EVENT_NAMES]


def test_each_entity_has_its_singular_event_name() -> None:
    for url, event_name in URL_AND_EVENT_NAMES:
        assert Entity(url).event_name == event_name


def test_label_is_the_event_name_in_words() -> None:
    assert Entity.PURCHASE_ORDERS.label == "purchase order"
    assert Entity.VENDORS.label == "vendor"


def test_a_label_takes_the_article_its_sound_needs() -> None:
    assert Entity.INVENTORY_ITEMS.a_label == "an inventory item"
    assert Entity.ASSETS.a_label == "an asset"
    assert Entity.PURCHASE_ORDERS.a_label == "a purchase order"
    assert Entity.VENDORS.a_label == "a vendor"
