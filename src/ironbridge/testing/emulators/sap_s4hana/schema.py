"""The part of SAP S/4HANA's OData V2 services the emulator serves, as the vendor publishes it.

Each entity type lists the properties the emulator returns with their EDM types, copied from
SAP's own `$metadata` documents (API_PURCHASEORDER_PROCESS_SRV, API_BUSINESS_PARTNER,
API_MAINTENANCEORDER, API_MATERIAL_STOCK_SRV) and, for Equipment and FunctionalLocation, from
SAP's OpenAPI renderings of API_EQUIPMENT and API_FUNCTIONALLOCATION. It is a subset: every
property served exists in the vendor document with the same type, which the contract tests
check. Nothing here is shared with the connectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

__all__ = [
    "SERVICES",
    "EntityType",
    "Navigation",
    "Service",
    "entity_type",
    "service_of",
]


@dataclass(frozen=True)
class Navigation:
    """A navigation property: the target entity set and the join from target to source keys."""

    target: str
    many: bool
    #: (target property, source property) pairs that link the two.
    join: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EntityType:
    """One entity type and the entity set that serves it."""

    name: str
    entity_set: str
    keys: tuple[str, ...]
    #: Property name → EDM type, in the vendor's order.
    properties: Mapping[str, str]
    navigations: Mapping[str, Navigation] = field(default_factory=dict)
    #: Whether the emulator creates (POST) and updates (PATCH/MERGE) entities of this set.
    creatable: bool = False
    updatable: bool = False
    #: Properties SAP marks `sap:creatable="false"` and `sap:updatable="false"`.
    read_only: frozenset[str] = frozenset()
    #: The property whose value is the entity's ETag (SAP derives it from the change stamp).
    etag: str | None = None
    #: Properties stamped with the time of every change.
    change_stamps: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    """An OData service: its name in the URL, its schema namespace and its entity types."""

    name: str
    namespace: str
    entity_types: tuple[EntityType, ...]

    def by_set(self, entity_set: str) -> EntityType | None:
        """The entity type served as `entity_set`, if this service has it."""
        return next((t for t in self.entity_types if t.entity_set == entity_set), None)


def _props(text: str) -> Mapping[str, str]:
    """`Name:Type` pairs separated by white space, types without their `Edm.` prefix."""
    pairs = (item.split(":") for item in text.split())
    return MappingProxyType({name: f"Edm.{kind}" for name, kind in pairs})


PURCHASE_ORDER: Final = EntityType(
    name="A_PurchaseOrderType",
    entity_set="A_PurchaseOrder",
    keys=("PurchaseOrder",),
    properties=_props(
        """
        PurchaseOrder:String CompanyCode:String PurchaseOrderType:String
        PurchasingDocumentDeletionCode:String PurchasingProcessingStatus:String
        CreatedByUser:String CreationDate:DateTime LastChangeDateTime:DateTimeOffset
        Supplier:String Language:String PaymentTerms:String NetPaymentDays:Decimal
        PurchasingOrganization:String PurchasingGroup:String PurchaseOrderDate:DateTime
        DocumentCurrency:String ExchangeRate:String ValidityStartDate:DateTime
        ValidityEndDate:DateTime SupplierRespSalesPersonName:String SupplierPhoneNumber:String
        IncotermsClassification:String CorrespncExternalReference:String
        CorrespncInternalReference:String ReleaseIsNotCompleted:Boolean
        PurchasingCompletenessStatus:Boolean AddressCityName:String AddressStreetName:String
        AddressHouseNumber:String AddressPostalCode:String AddressRegion:String
        AddressCountry:String
        """
    ),
    navigations=MappingProxyType(
        {
            "to_PurchaseOrderItem": Navigation(
                "A_PurchaseOrderItem", True, (("PurchaseOrder", "PurchaseOrder"),)
            )
        }
    ),
    creatable=True,
    updatable=True,
    read_only=frozenset(
        {
            "PurchaseOrder",
            "PurchasingDocumentDeletionCode",
            "PurchasingProcessingStatus",
            "CreatedByUser",
            "CreationDate",
            "LastChangeDateTime",
            "ReleaseIsNotCompleted",
        }
    ),
    etag="LastChangeDateTime",
    change_stamps=("LastChangeDateTime",),
)

PURCHASE_ORDER_ITEM: Final = EntityType(
    name="A_PurchaseOrderItemType",
    entity_set="A_PurchaseOrderItem",
    keys=("PurchaseOrder", "PurchaseOrderItem"),
    properties=_props(
        """
        PurchaseOrder:String PurchaseOrderItem:String PurchasingDocumentDeletionCode:String
        PurchaseOrderItemText:String Plant:String StorageLocation:String MaterialGroup:String
        OrderQuantity:Decimal PurchaseOrderQuantityUnit:String OrderPriceUnit:String
        DocumentCurrency:String NetPriceAmount:Decimal NetPriceQuantity:Decimal TaxCode:String
        IsCompletelyDelivered:Boolean IsFinallyInvoiced:Boolean PurchaseOrderItemCategory:String
        AccountAssignmentCategory:String GoodsReceiptIsExpected:Boolean
        InvoiceIsExpected:Boolean RequisitionerName:String Material:String
        """
    ),
    navigations=MappingProxyType(
        {
            "to_ScheduleLine": Navigation(
                "A_PurchaseOrderScheduleLine",
                True,
                (
                    ("PurchasingDocument", "PurchaseOrder"),
                    ("PurchasingDocumentItem", "PurchaseOrderItem"),
                ),
            )
        }
    ),
    creatable=True,
    read_only=frozenset({"PurchasingDocumentDeletionCode", "DocumentCurrency"}),
)

SCHEDULE_LINE: Final = EntityType(
    name="A_PurchaseOrderScheduleLineType",
    entity_set="A_PurchaseOrderScheduleLine",
    keys=("PurchasingDocument", "PurchasingDocumentItem", "ScheduleLine"),
    properties=_props(
        """
        PurchasingDocument:String PurchasingDocumentItem:String ScheduleLine:String
        DelivDateCategory:String ScheduleLineDeliveryDate:DateTime
        PurchaseOrderQuantityUnit:String ScheduleLineOrderQuantity:Decimal
        ScheduleLineDeliveryTime:Time ScheduleLineCommittedQuantity:Decimal
        """
    ),
    creatable=True,
    read_only=frozenset({"PurchaseOrderQuantityUnit"}),
)

BUSINESS_PARTNER: Final = EntityType(
    name="A_BusinessPartnerType",
    entity_set="A_BusinessPartner",
    keys=("BusinessPartner",),
    properties=_props(
        """
        BusinessPartner:String Customer:String Supplier:String BusinessPartnerCategory:String
        BusinessPartnerFullName:String BusinessPartnerGrouping:String BusinessPartnerName:String
        CorrespondenceLanguage:String CreatedByUser:String CreationDate:DateTime
        CreationTime:Time Language:String LastChangeDate:DateTime LastChangeTime:Time
        LastChangedByUser:String OrganizationBPName1:String OrganizationBPName2:String
        SearchTerm1:String BusinessPartnerIsBlocked:Boolean IsMarkedForArchiving:Boolean
        """
    ),
    navigations=MappingProxyType(
        {
            "to_Supplier": Navigation("A_Supplier", False, (("Supplier", "Supplier"),)),
            "to_BusinessPartnerAddress": Navigation(
                "A_BusinessPartnerAddress", True, (("BusinessPartner", "BusinessPartner"),)
            ),
        }
    ),
    change_stamps=("LastChangeDate", "LastChangeTime"),
)

SUPPLIER: Final = EntityType(
    name="A_SupplierType",
    entity_set="A_Supplier",
    keys=("Supplier",),
    properties=_props(
        """
        Supplier:String CreatedByUser:String CreationDate:DateTime Customer:String
        PaymentIsBlockedForSupplier:Boolean PostingIsBlocked:Boolean PurchasingIsBlocked:Boolean
        SupplierAccountGroup:String SupplierFullName:String SupplierName:String
        VATRegistration:String DeletionIndicator:Boolean SupplierCorporateGroup:String
        """
    ),
    navigations=MappingProxyType(
        {
            "to_SupplierPurchasingOrg": Navigation(
                "A_SupplierPurchasingOrg", True, (("Supplier", "Supplier"),)
            )
        }
    ),
)

SUPPLIER_PURCHASING_ORG: Final = EntityType(
    name="A_SupplierPurchasingOrgType",
    entity_set="A_SupplierPurchasingOrg",
    keys=("Supplier", "PurchasingOrganization"),
    properties=_props(
        """
        Supplier:String PurchasingOrganization:String DeletionIndicator:Boolean
        IncotermsClassification:String PaymentTerms:String PurchaseOrderCurrency:String
        PurchasingGroup:String PurchasingIsBlockedForSupplier:Boolean
        SupplierPhoneNumber:String SupplierRespSalesPersonName:String
        """
    ),
)

BUSINESS_PARTNER_ADDRESS: Final = EntityType(
    name="A_BusinessPartnerAddressType",
    entity_set="A_BusinessPartnerAddress",
    keys=("BusinessPartner", "AddressID"),
    properties=_props(
        """
        BusinessPartner:String AddressID:String CityName:String Country:String
        HouseNumber:String Language:String PostalCode:String Region:String StreetName:String
        StreetPrefixName:String District:String
        """
    ),
    navigations=MappingProxyType(
        {
            "to_EmailAddress": Navigation(
                "A_AddressEmailAddress", True, (("AddressID", "AddressID"),)
            ),
            "to_PhoneNumber": Navigation(
                "A_AddressPhoneNumber", True, (("AddressID", "AddressID"),)
            ),
        }
    ),
)

EMAIL_ADDRESS: Final = EntityType(
    name="A_AddressEmailAddressType",
    entity_set="A_AddressEmailAddress",
    keys=("AddressID", "Person", "OrdinalNumber"),
    properties=_props(
        """
        AddressID:String Person:String OrdinalNumber:String IsDefaultEmailAddress:Boolean
        EmailAddress:String SearchEmailAddress:String
        """
    ),
)

PHONE_NUMBER: Final = EntityType(
    name="A_AddressPhoneNumberType",
    entity_set="A_AddressPhoneNumber",
    keys=("AddressID", "Person", "OrdinalNumber"),
    properties=_props(
        """
        AddressID:String Person:String OrdinalNumber:String DestinationLocationCountry:String
        IsDefaultPhoneNumber:Boolean PhoneNumber:String PhoneNumberExtension:String
        InternationalPhoneNumber:String PhoneNumberType:String
        """
    ),
)

MAINTENANCE_ORDER: Final = EntityType(
    name="MaintenanceOrderType",
    entity_set="MaintenanceOrder",
    keys=("MaintenanceOrder",),
    properties=_props(
        """
        MaintenanceOrder:String MaintenanceOrderType:String MaintenanceOrderDesc:String
        MaintOrdBasicStartDateTime:DateTimeOffset MaintOrdBasicEndDateTime:DateTimeOffset
        MainWorkCompletedDateTime:DateTimeOffset MaintenanceNotification:String
        MainWorkCenter:String MainWorkCenterPlant:String MaintenancePlanningPlant:String
        MaintenancePlant:String CompanyCode:String CostCenter:String Equipment:String
        EquipmentName:String FunctionalLocation:String MaintenancePlannerGroup:String
        MaintenanceActivityType:String MaintPriority:String MaintPriorityType:String
        Currency:String LatestAcceptableCompletionDate:DateTime MaintOrdPersonResponsible:String
        LastChangeByUser:String LastChangeDateTime:DateTimeOffset CreatedByUser:String
        MaintOrderCreationDateTime:DateTimeOffset OrderHasLongText:Boolean
        SystemStatusText:String UserStatusText:String
        """
    ),
    read_only=frozenset(
        {
            "MaintenanceOrder",
            "MainWorkCompletedDateTime",
            "CompanyCode",
            "EquipmentName",
            "MaintPriorityType",
            "Currency",
            "LastChangeByUser",
            "LastChangeDateTime",
            "CreatedByUser",
            "MaintOrderCreationDateTime",
            "OrderHasLongText",
            "SystemStatusText",
            "UserStatusText",
        }
    ),
    change_stamps=("LastChangeDateTime",),
)

EQUIPMENT: Final = EntityType(
    name="EquipmentType",
    entity_set="Equipment",
    keys=("Equipment", "ValidityEndDate"),
    properties=_props(
        """
        Equipment:String ValidityEndDate:DateTime ValidityStartDate:DateTime
        EquipmentName:String EquipmentCategory:String TechnicalObjectType:String
        InventoryNumber:String OperationStartDate:DateTime AcquisitionValue:Decimal
        Currency:String AcquisitionDate:DateTime AssetManufacturerName:String
        ManufacturerPartTypeName:String ManufacturerSerialNumber:String ConstructionYear:String
        MaintenancePlant:String AssetLocation:String PlantSection:String WorkCenter:String
        ABCIndicator:String CompanyCode:String FunctionalLocation:String
        SuperordinateEquipment:String Material:String SerialNumber:String CreationDate:DateTime
        CreatedByUser:String LastChangedByUser:String LastChangeDateTime:DateTimeOffset
        EquipmentIsAvailable:Boolean EquipmentIsInWarehouse:Boolean
        EquipmentIsMarkedForDeletion:Boolean EquipmentIsInstalled:Boolean
        EquipmentIsInactive:Boolean
        """
    ),
    read_only=frozenset(
        {"Equipment", "ValidityEndDate", "CreationDate", "CreatedByUser", "LastChangedByUser"}
        | {"LastChangeDateTime"}
    ),
    change_stamps=("LastChangeDateTime",),
)

FUNCTIONAL_LOCATION: Final = EntityType(
    name="FunctionalLocationType",
    entity_set="FunctionalLocation",
    keys=("FunctionalLocation",),
    properties=_props(
        """
        FunctionalLocation:String FunctionalLocationLabelName:String
        FunctionalLocationName:String FuncLocationStructure:String
        FunctionalLocationCategory:String SuperiorFunctionalLocation:String
        SuperiorFuncnlLocLabelName:String TechnicalObjectType:String
        OperationStartDate:DateTime MaintenancePlant:String AssetLocation:String
        PlantSection:String ABCIndicator:String CompanyCode:String CostCenter:String
        MaintenancePlanningPlant:String MainWorkCenterPlant:String MainWorkCenter:String
        EquipmentInstallationIsAllowed:Boolean FunctionalLocationHasEquipment:String
        FuncnlLocHasSubOrdinateFuncLoc:String LastChangeDateTime:DateTimeOffset
        FuncnlLocIsMarkedForDeletion:Boolean FuncnlLocIsDeleted:Boolean
        FunctionalLocationIsActive:Boolean FuncnlLocIsDeactivated:Boolean
        """
    ),
    read_only=frozenset({"FunctionalLocation", "LastChangeDateTime"}),
    change_stamps=("LastChangeDateTime",),
)

MATERIAL_STOCK: Final = EntityType(
    name="A_MaterialStockType",
    entity_set="A_MaterialStock",
    keys=("Material",),
    properties=_props("Material:String MaterialBaseUnit:String"),
    navigations=MappingProxyType(
        {"to_MatlStkInAcctMod": Navigation("A_MatlStkInAcctMod", True, (("Material", "Material"),))}
    ),
)

STOCK_IN_ACCOUNT_MODEL: Final = EntityType(
    name="A_MatlStkInAcctModType",
    entity_set="A_MatlStkInAcctMod",
    keys=(
        "Material",
        "Plant",
        "StorageLocation",
        "Batch",
        "Supplier",
        "Customer",
        "WBSElementInternalID",
        "SDDocument",
        "SDDocumentItem",
        "InventorySpecialStockType",
        "InventoryStockType",
    ),
    properties=_props(
        """
        Material:String Plant:String StorageLocation:String Batch:String Supplier:String
        Customer:String WBSElementInternalID:String SDDocument:String SDDocumentItem:String
        InventorySpecialStockType:String InventoryStockType:String WBSElementExternalID:String
        MaterialBaseUnit:String MatlWrhsStkQtyInMatlBaseUnit:Decimal
        """
    ),
)

#: Every service the emulator serves, by the name in its URL.
SERVICES: Final[Mapping[str, Service]] = MappingProxyType(
    {
        service.name: service
        for service in (
            Service(
                "API_PURCHASEORDER_PROCESS_SRV",
                "API_PURCHASEORDER_PROCESS_SRV",
                (PURCHASE_ORDER, PURCHASE_ORDER_ITEM, SCHEDULE_LINE),
            ),
            Service(
                "API_BUSINESS_PARTNER",
                "API_BUSINESS_PARTNER",
                (
                    BUSINESS_PARTNER,
                    SUPPLIER,
                    SUPPLIER_PURCHASING_ORG,
                    BUSINESS_PARTNER_ADDRESS,
                    EMAIL_ADDRESS,
                    PHONE_NUMBER,
                ),
            ),
            Service("API_MAINTENANCEORDER", "cds_api_maintenanceorder_2", (MAINTENANCE_ORDER,)),
            Service("API_EQUIPMENT", "cds_api_equipment", (EQUIPMENT,)),
            Service("API_FUNCTIONALLOCATION", "cds_api_functionallocation", (FUNCTIONAL_LOCATION,)),
            Service(
                "API_MATERIAL_STOCK_SRV",
                "API_MATERIAL_STOCK_SRV",
                (MATERIAL_STOCK, STOCK_IN_ACCOUNT_MODEL),
            ),
        )
    }
)

_BY_SET: Final[Mapping[str, EntityType]] = MappingProxyType(
    {t.entity_set: t for service in SERVICES.values() for t in service.entity_types}
)
_SERVICE_OF: Final[Mapping[str, str]] = MappingProxyType(
    {t.entity_set: service.name for service in SERVICES.values() for t in service.entity_types}
)


def entity_type(entity_set: str) -> EntityType:
    """The entity type served as `entity_set`; KeyError when the emulator has none."""
    return _BY_SET[entity_set]


def service_of(entity_set: str) -> str:
    """The name of the service that serves `entity_set`."""
    return _SERVICE_OF[entity_set]
