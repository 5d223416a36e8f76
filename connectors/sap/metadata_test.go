package sap_test

// Facts transcribed from SAP's published OData V2 metadata ($metadata, the
// EDMX that the SAP Business Accelerator Hub publishes and that SAP Cloud
// Application Programming Model projects import as srv/external/*.edmx):
// the entity types the adapter touches, with every property and navigation
// property they declare. The stand-in declares exactly these, and
// TestPropertiesExistInSAPMetadata checks every property the adapter reads
// or writes against them.
//
//   - API_SALES_ORDER_SRV, API_BUSINESS_PARTNER, API_PRODUCT_SRV,
//     API_OUTBOUND_DELIVERY_SRV: the services' $metadata documents.
//   - API_CRDTMBUSINESSPARTNER CreditManagementAccount: the entity as the
//     SAP API Business Hub's credit management master data API returns it
//     (keys BusinessPartner, CreditSegment).
//   - API_PRODUCT_AVAILY_INFO_BASIC: the complex type AvailabilityRecord
//     and the function import CalculateAvailabilityTimeseries(ATPCheckingRule,
//     Material, SupplyingPlant), HTTP GET, returning a collection of it.
//   - API_SLS_DOC_WITH_CREDIT_BLOCK: entity A_CreditBlockedSalesDocument
//     keyed by SalesDocument, function imports ReleaseCreditBlock and
//     RejectCreditBlock taking it (SAP Cloud SDK, Sales Doc With Credit
//     Block Service, communication scenario SAP_COM_0325).

type entityType struct {
	service    string
	keys       []string
	properties []string
	navigation []string
}

var sapMetadata = map[string]entityType{
	"A_SalesOrder": {
		service: "API_SALES_ORDER_SRV",
		keys:    []string{"SalesOrder"},
		properties: []string{
			"SalesOrder", "SalesOrderType", "SalesOrderTypeInternalCode", "SalesOrganization", "DistributionChannel",
			"OrganizationDivision", "SalesGroup", "SalesOffice", "SalesDistrict", "SoldToParty", "CreationDate",
			"CreatedByUser", "LastChangeDate", "SenderBusinessSystemName", "ExternalDocumentID", "LastChangeDateTime",
			"ExternalDocLastChangeDateTime", "PurchaseOrderByCustomer", "PurchaseOrderByShipToParty",
			"CustomerPurchaseOrderType", "CustomerPurchaseOrderDate", "SalesOrderDate", "TotalNetAmount",
			"OverallDeliveryStatus", "TotalBlockStatus", "OverallOrdReltdBillgStatus", "OverallSDDocReferenceStatus",
			"TransactionCurrency", "SDDocumentReason", "PricingDate", "PriceDetnExchangeRate", "BillingPlan",
			"RequestedDeliveryDate", "ShippingCondition", "CompleteDeliveryIsDefined", "ShippingType",
			"HeaderBillingBlockReason", "DeliveryBlockReason", "DeliveryDateTypeRule", "IncotermsClassification",
			"IncotermsTransferLocation", "IncotermsLocation1", "IncotermsLocation2", "IncotermsVersion",
			"CustomerPriceGroup", "PriceListType", "CustomerPaymentTerms", "PaymentMethod", "FixedValueDate",
			"AssignmentReference", "ReferenceSDDocument", "ReferenceSDDocumentCategory",
			"AccountingDocExternalReference", "CustomerAccountAssignmentGroup", "AccountingExchangeRate",
			"CustomerGroup", "AdditionalCustomerGroup1", "AdditionalCustomerGroup2", "AdditionalCustomerGroup3",
			"AdditionalCustomerGroup4", "AdditionalCustomerGroup5", "SlsDocIsRlvtForProofOfDeliv",
			"CustomerTaxClassification1", "CustomerTaxClassification2", "CustomerTaxClassification3",
			"CustomerTaxClassification4", "CustomerTaxClassification5", "CustomerTaxClassification6",
			"CustomerTaxClassification7", "CustomerTaxClassification8", "CustomerTaxClassification9",
			"TaxDepartureCountry", "VATRegistrationCountry", "SalesOrderApprovalReason", "SalesDocApprovalStatus",
			"OverallSDProcessStatus", "TotalCreditCheckStatus", "OverallTotalDeliveryStatus",
			"OverallSDDocumentRejectionSts", "BillingDocumentDate", "ContractAccount", "AdditionalValueDays",
			"CustomerPurchaseOrderSuplmnt", "ServicesRenderedDate",
		},
		navigation: []string{"to_BillingPlan", "to_Item", "to_Partner", "to_PaymentPlanItemDetails", "to_PrecedingProcFlowDoc", "to_PricingElement", "to_RelatedObject", "to_SubsequentProcFlowDoc", "to_Text"},
	},
	"A_SalesOrderHeaderPartner": {
		service: "API_SALES_ORDER_SRV",
		keys:    []string{"SalesOrder", "PartnerFunction"},
		properties: []string{
			"SalesOrder", "PartnerFunction", "PartnerFunctionInternalCode", "Customer", "Supplier", "Personnel",
			"ContactPerson", "WorkAssignmentExternalID", "ReferenceBusinessPartner", "AddressID", "VATRegistration",
		},
		navigation: []string{"to_Address", "to_SalesOrder"},
	},
	"A_SalesOrderItem": {
		service: "API_SALES_ORDER_SRV",
		keys:    []string{"SalesOrder", "SalesOrderItem"},
		properties: []string{
			"SalesOrder", "SalesOrderItem", "HigherLevelItem", "HigherLevelItemUsage", "SalesOrderItemCategory",
			"SalesOrderItemText", "PurchaseOrderByCustomer", "PurchaseOrderByShipToParty",
			"UnderlyingPurchaseOrderItem", "ExternalItemID", "Material", "MaterialByCustomer", "PricingDate",
			"PricingReferenceMaterial", "BillingPlan", "RequestedQuantity", "RequestedQuantityUnit",
			"RequestedQuantitySAPUnit", "RequestedQuantityISOUnit", "OrderQuantityUnit", "OrderQuantitySAPUnit",
			"OrderQuantityISOUnit", "ConfdDelivQtyInOrderQtyUnit", "ItemGrossWeight", "ItemNetWeight",
			"ItemWeightUnit", "ItemWeightSAPUnit", "ItemWeightISOUnit", "ItemVolume", "ItemVolumeUnit",
			"ItemVolumeSAPUnit", "ItemVolumeISOUnit", "OriginallyRequestedMaterial", "TransactionCurrency",
			"NetAmount", "TotalSDDocReferenceStatus", "SDDocReferenceStatus", "MaterialSubstitutionReason",
			"MaterialGroup", "MaterialPricingGroup", "AdditionalMaterialGroup1", "AdditionalMaterialGroup2",
			"AdditionalMaterialGroup3", "AdditionalMaterialGroup4", "AdditionalMaterialGroup5", "BillingDocumentDate",
			"ContractAccount", "AdditionalValueDays", "ServicesRenderedDate", "Batch", "ProductionPlant",
			"OriginalPlant", "AltvBsdConfSubstitutionStatus", "StorageLocation", "DeliveryGroup", "ShippingPoint",
			"ShippingType", "DeliveryPriority", "DeliveryDateQuantityIsFixed", "DeliveryDateTypeRule",
			"IncotermsClassification", "IncotermsTransferLocation", "IncotermsLocation1", "IncotermsLocation2",
			"TaxAmount", "ProductTaxClassification1", "ProductTaxClassification2", "ProductTaxClassification3",
			"ProductTaxClassification4", "ProductTaxClassification5", "ProductTaxClassification6",
			"ProductTaxClassification7", "ProductTaxClassification8", "ProductTaxClassification9",
			"MatlAccountAssignmentGroup", "CostAmount", "CustomerPaymentTerms", "FixedValueDate", "CustomerGroup",
			"SalesDocumentRjcnReason", "ItemBillingBlockReason", "SlsDocIsRlvtForProofOfDeliv", "WBSElement",
			"ProfitCenter", "AccountingExchangeRate", "ReferenceSDDocument", "ReferenceSDDocumentItem",
			"SDProcessStatus", "DeliveryStatus", "OrderRelatedBillingStatus", "Subtotal1Amount", "Subtotal2Amount",
			"Subtotal3Amount", "Subtotal4Amount", "Subtotal5Amount", "Subtotal6Amount",
		},
		navigation: []string{"to_BillingPlan", "to_Partner", "to_PrecedingProcFlowDocItem", "to_PricingElement", "to_RelatedObject", "to_SalesOrder", "to_ScheduleLine", "to_SubsequentProcFlowDocItem", "to_Text"},
	},
	"A_SalesOrderPartnerAddress": {
		service: "API_SALES_ORDER_SRV",
		keys:    []string{"SalesOrder", "PartnerFunction", "AddressRepresentationCode"},
		properties: []string{
			"SalesOrder", "PartnerFunction", "AddressRepresentationCode", "CorrespondenceLanguage",
			"AddresseeFullName", "OrganizationName1", "OrganizationName2", "OrganizationName3", "OrganizationName4",
			"CityName", "DistrictName", "PostalCode", "StreetPrefixName1", "StreetPrefixName2", "StreetName",
			"StreetSuffixName1", "StreetSuffixName2", "HouseNumber", "Country", "Region", "FormOfAddress",
			"TaxJurisdiction", "TransportZone", "POBox", "POBoxPostalCode", "EmailAddress", "MobilePhoneCountry",
			"MobileNumber", "PhoneNumberCountry", "PhoneNumber", "PhoneExtensionNumber", "FaxNumberCountry",
			"FaxAreaCodeSubscriberNumber", "FaxExtensionNumber",
		},
		navigation: []string{"to_Partner", "to_SalesOrder"},
	},
	"A_SalesOrderScheduleLine": {
		service: "API_SALES_ORDER_SRV",
		keys:    []string{"SalesOrder", "SalesOrderItem", "ScheduleLine"},
		properties: []string{
			"SalesOrder", "SalesOrderItem", "ScheduleLine", "RequestedDeliveryDate", "ConfirmedDeliveryDate",
			"OrderQuantityUnit", "OrderQuantitySAPUnit", "OrderQuantityISOUnit", "ScheduleLineOrderQuantity",
			"ConfdOrderQtyByMatlAvailCheck", "DeliveredQtyInOrderQtyUnit", "OpenConfdDelivQtyInOrdQtyUnit",
			"CorrectedQtyInOrderQtyUnit", "DelivBlockReasonForSchedLine",
		},
		navigation: []string{},
	},
	"A_Customer": {
		service: "API_BUSINESS_PARTNER",
		keys:    []string{"Customer"},
		properties: []string{
			"Customer", "AuthorizationGroup", "BillingIsBlockedForCustomer", "CreatedByUser", "CreationDate",
			"CustomerAccountGroup", "CustomerClassification", "CustomerFullName", "BPCustomerFullName",
			"CustomerName", "BPCustomerName", "DeliveryIsBlocked", "FreeDefinedAttribute01", "FreeDefinedAttribute02",
			"FreeDefinedAttribute03", "FreeDefinedAttribute04", "FreeDefinedAttribute05", "FreeDefinedAttribute06",
			"FreeDefinedAttribute07", "FreeDefinedAttribute08", "FreeDefinedAttribute09", "FreeDefinedAttribute10",
			"NFPartnerIsNaturalPerson", "OrderIsBlockedForCustomer", "PostingIsBlocked", "Supplier",
			"CustomerCorporateGroup", "FiscalAddress", "Industry", "IndustryCode1", "IndustryCode2", "IndustryCode3",
			"IndustryCode4", "IndustryCode5", "InternationalLocationNumber1", "InternationalLocationNumber2",
			"InternationalLocationNumber3", "NielsenRegion", "PaymentReason", "ResponsibleType", "TaxNumber1",
			"TaxNumber2", "TaxNumber3", "TaxNumber4", "TaxNumber5", "TaxNumberType", "VATRegistration",
			"DeletionIndicator", "ExpressTrainStationName", "TrainStationName", "CityCode", "County",
		},
		navigation: []string{"to_CustAddrDepdntExtIdentifier", "to_CustAddrDepdntInformation", "to_CustomerCompany", "to_CustomerSalesArea", "to_CustomerTaxGrouping", "to_CustomerText", "to_CustomerUnloadingPoint", "to_CustUnldgPtAddrDepdntInfo"},
	},
	"A_Product": {
		service: "API_PRODUCT_SRV",
		keys:    []string{"Product"},
		properties: []string{
			"Product", "ProductType", "CrossPlantStatus", "CrossPlantStatusValidityDate", "CreationDate",
			"CreatedByUser", "LastChangeDate", "LastChangedByUser", "LastChangeDateTime", "IsMarkedForDeletion",
			"ProductOldID", "GrossWeight", "PurchaseOrderQuantityUnit", "SourceOfSupply", "WeightUnit", "NetWeight",
			"CountryOfOrigin", "CompetitorID", "ProductGroup", "BaseUnit", "ItemCategoryGroup", "ProductHierarchy",
			"Division", "VarblPurOrdUnitIsActive", "VolumeUnit", "MaterialVolume", "ANPCode", "Brand",
			"ProcurementRule", "ValidityStartDate", "LowLevelCode", "ProdNoInGenProdInPrepackProd",
			"SerialIdentifierAssgmtProfile", "SizeOrDimensionText", "IndustryStandardName", "ProductStandardID",
			"InternationalArticleNumberCat", "ProductIsConfigurable", "IsBatchManagementRequired",
			"ExternalProductGroup", "CrossPlantConfigurableProduct", "SerialNoExplicitnessLevel",
			"ProductManufacturerNumber", "ManufacturerNumber", "ManufacturerPartProfile", "QltyMgmtInProcmtIsActive",
			"IndustrySector", "ChangeNumber", "MaterialRevisionLevel", "HandlingIndicator", "WarehouseProductGroup",
			"WarehouseStorageCondition", "StandardHandlingUnitType", "SerialNumberProfile", "AdjustmentProfile",
			"PreferredUnitOfMeasure", "IsPilferable", "IsRelevantForHzdsSubstances", "QuarantinePeriod",
			"TimeUnitForQuarantinePeriod", "QualityInspectionGroup", "AuthorizationGroup", "HandlingUnitType",
			"HasVariableTareWeight", "MaximumPackagingLength", "MaximumPackagingWidth", "MaximumPackagingHeight",
			"UnitForMaxPackagingDimensions",
		},
		navigation: []string{"to_Description", "to_Plant", "to_ProductBasicText", "to_ProductInspectionText", "to_ProductProcurement", "to_ProductPurchaseText", "to_ProductQualityMgmt", "to_ProductSales", "to_ProductSalesTax", "to_ProductStorage", "to_ProductUnitsOfMeasure", "to_SalesDelivery", "to_Valuation"},
	},
	"A_ProductDescription": {
		service: "API_PRODUCT_SRV",
		keys:    []string{"Product", "Language"},
		properties: []string{
			"Product", "Language", "ProductDescription",
		},
		navigation: []string{},
	},
	"A_ProductValuation": {
		service: "API_PRODUCT_SRV",
		keys:    []string{"Product", "ValuationArea", "ValuationType"},
		properties: []string{
			"Product", "ValuationArea", "ValuationType", "ValuationClass", "PriceDeterminationControl",
			"StandardPrice", "PriceUnitQty", "InventoryValuationProcedure", "IsMarkedForDeletion",
			"MovingAveragePrice", "ValuationCategory", "ProductUsageType", "ProductOriginType", "IsProducedInhouse",
			"ProdCostEstNumber", "ProjectStockValuationClass", "ValuationClassSalesOrderStock",
			"PlannedPrice1InCoCodeCrcy", "PlannedPrice2InCoCodeCrcy", "PlannedPrice3InCoCodeCrcy",
			"FuturePlndPrice1ValdtyDate", "FuturePlndPrice2ValdtyDate", "FuturePlndPrice3ValdtyDate",
			"TaxBasedPricesPriceUnitQty", "PriceLastChangeDate", "PlannedPrice", "PrevInvtryPriceInCoCodeCrcy",
			"Currency", "BaseUnit",
		},
		navigation: []string{"to_MLAccount", "to_MLPrices", "to_ValuationAccount", "to_ValuationCosting"},
	},
	"A_OutbDeliveryItem": {
		service: "API_OUTBOUND_DELIVERY_SRV",
		keys:    []string{"DeliveryDocument", "DeliveryDocumentItem"},
		properties: []string{
			"ActualDeliveredQtyInBaseUnit", "ActualDeliveryQuantity", "AdditionalCustomerGroup1",
			"AdditionalCustomerGroup2", "AdditionalCustomerGroup3", "AdditionalCustomerGroup4",
			"AdditionalCustomerGroup5", "AdditionalMaterialGroup1", "AdditionalMaterialGroup2",
			"AdditionalMaterialGroup3", "AdditionalMaterialGroup4", "AdditionalMaterialGroup5",
			"AlternateProductNumber", "BaseUnit", "Batch", "BatchBySupplier", "BatchClassification", "BOMExplosion",
			"BusinessArea", "ConsumptionPosting", "ControllingArea", "CostCenter", "CreatedByUser", "CreationDate",
			"CreationTime", "CustEngineeringChgStatus", "DeliveryDocument", "DeliveryDocumentItem",
			"DeliveryDocumentItemCategory", "DeliveryDocumentItemText", "DeliveryGroup", "DeliveryQuantityUnit",
			"DeliveryRelatedBillingStatus", "DeliveryToBaseQuantityDnmntr", "DeliveryToBaseQuantityNmrtr",
			"DeliveryVersion", "DepartmentClassificationByCust", "DistributionChannel", "Division",
			"EUDeliveryItemARCStatus", "FixedShipgProcgDurationInDays", "GLAccount", "GoodsMovementReasonCode",
			"GoodsMovementStatus", "GoodsMovementType", "HigherLvlItmOfBatSpltItm", "HigherLevelItem",
			"InspectionLot", "InspectionPartialLot", "IntercompanyBillingStatus", "InternationalArticleNumber",
			"InventorySpecialStockType", "InventoryValuationType", "IsCompletelyDelivered",
			"IsNotGoodsMovementsRelevant", "IsSeparateValuation", "IssgOrRcvgBatch", "IssgOrRcvgMaterial",
			"IssgOrRcvgSpclStockInd", "IssgOrRcvgStockCategory", "IssgOrRcvgValuationType", "IssuingOrReceivingPlant",
			"IssuingOrReceivingStorageLoc", "ItemBillingBlockReason", "ItemBillingIncompletionStatus",
			"ItemDeliveryIncompletionStatus", "ItemGdsMvtIncompletionSts", "ItemGeneralIncompletionStatus",
			"ItemGrossWeight", "ItemIsBillingRelevant", "ItemNetWeight", "ItemPackingIncompletionStatus",
			"ItemPickingIncompletionStatus", "ItemVolume", "ItemVolumeUnit", "ItemWeightUnit", "LastChangeDate",
			"LoadingGroup", "ManufactureDate", "Material", "MaterialByCustomer", "MaterialFreightGroup",
			"MaterialGroup", "MaterialIsBatchManaged", "MaterialIsIntBatchManaged", "NumberOfSerialNumbers",
			"OrderID", "OrderItem", "OriginalDeliveryQuantity", "OriginallyRequestedMaterial",
			"OverdelivTolrtdLmtRatioInPct", "PackingStatus", "PartialDeliveryIsAllowed", "PaymentGuaranteeForm",
			"PickingConfirmationStatus", "PickingControl", "PickingStatus", "Plant", "PrimaryPostingSwitch",
			"ProductAvailabilityDate", "ProductAvailabilityTime", "ProductConfiguration", "ProductHierarchyNode",
			"ProfitabilitySegment", "ProfitCenter", "ProofOfDeliveryRelevanceCode", "ProofOfDeliveryStatus",
			"QuantityIsFixed", "ReceivingPoint", "ReferenceDocumentLogicalSystem", "ReferenceSDDocument",
			"ReferenceSDDocumentCategory", "ReferenceSDDocumentItem", "RetailPromotion", "SalesDocumentItemType",
			"SalesGroup", "SalesOffice", "SDDocumentCategory", "SDProcessStatus", "ShelfLifeExpirationDate",
			"StatisticsDate", "StockType", "StorageBin", "StorageLocation", "StorageType", "SubsequentMovementType",
			"TransportationGroup", "UnderdelivTolrtdLmtRatioInPct", "UnlimitedOverdeliveryIsAllowed",
			"VarblShipgProcgDurationInDays", "Warehouse", "WarehouseActivityStatus", "WarehouseStagingArea",
			"WarehouseStockCategory", "WarehouseStorageBin",
		},
		navigation: []string{"to_SerialDeliveryItem", "to_DocumentFlow", "to_HandlingUnitItemDelivery", "to_DeliveryDocumentItemText"},
	},
	"A_OutbDeliveryHeader": {
		service: "API_OUTBOUND_DELIVERY_SRV",
		keys:    []string{"DeliveryDocument"},
		properties: []string{
			"ActualDeliveryRoute", "Shippinglocationtimezone", "ActualGoodsMovementDate", "Receivinglocationtimezone",
			"ActualGoodsMovementTime", "BillingDocumentDate", "BillOfLading", "CompleteDeliveryIsDefined",
			"ConfirmationTime", "CreatedByUser", "CreationDate", "CreationTime", "CustomerGroup",
			"DeliveryBlockReason", "DeliveryDate", "DeliveryDocument", "DeliveryDocumentBySupplier",
			"DeliveryDocumentType", "DeliveryIsInPlant", "DeliveryPriority", "DeliveryTime", "DeliveryVersion",
			"DepreciationPercentage", "DistrStatusByDecentralizedWrhs", "DocumentDate", "ExternalIdentificationType",
			"ExternalTransportSystem", "FactoryCalendarByCustomer", "GoodsIssueOrReceiptSlipNumber", "GoodsIssueTime",
			"HandlingUnitInStock", "HdrGeneralIncompletionStatus", "HdrGoodsMvtIncompletionStatus",
			"HeaderBillgIncompletionStatus", "HeaderBillingBlockReason", "HeaderDelivIncompletionStatus",
			"HeaderGrossWeight", "HeaderNetWeight", "HeaderPackingIncompletionSts", "HeaderPickgIncompletionStatus",
			"HeaderVolume", "HeaderVolumeUnit", "HeaderWeightUnit", "IncotermsClassification",
			"IncotermsTransferLocation", "IntercompanyBillingDate", "InternalFinancialDocument",
			"IsDeliveryForSingleWarehouse", "IsExportDelivery", "LastChangeDate", "LastChangedByUser", "LoadingDate",
			"LoadingPoint", "LoadingTime", "MeansOfTransport", "MeansOfTransportRefMaterial", "MeansOfTransportType",
			"OrderCombinationIsAllowed", "OrderID", "OverallDelivConfStatus", "OverallDelivReltdBillgStatus",
			"OverallGoodsMovementStatus", "OverallIntcoBillingStatus", "OverallPackingStatus",
			"OverallPickingConfStatus", "OverallPickingStatus", "OverallProofOfDeliveryStatus",
			"OverallSDProcessStatus", "OverallWarehouseActivityStatus", "OvrlItmDelivIncompletionSts",
			"OvrlItmGdsMvtIncompletionSts", "OvrlItmGeneralIncompletionSts", "OvrlItmPackingIncompletionSts",
			"OvrlItmPickingIncompletionSts", "PaymentGuaranteeProcedure", "PickedItemsLocation", "PickingDate",
			"PickingTime", "PlannedGoodsIssueDate", "ProofOfDeliveryDate", "ProposedDeliveryRoute", "ReceivingPlant",
			"RouteSchedule", "SalesDistrict", "SalesOffice", "SalesOrganization", "SDDocumentCategory",
			"ShipmentBlockReason", "ShippingCondition", "ShippingPoint", "ShippingType", "ShipToParty", "SoldToParty",
			"SpecialProcessingCode", "StatisticsCurrency", "Supplier", "TotalBlockStatus", "TotalCreditCheckStatus",
			"TotalNumberOfPackage", "TransactionCurrency", "TransportationGroup", "TransportationPlanningDate",
			"TransportationPlanningStatus", "TransportationPlanningTime", "UnloadingPointName", "Warehouse",
			"WarehouseGate", "WarehouseStagingArea", "YY1_demo3_DLH",
		},
		navigation: []string{"to_DeliveryDocumentText", "to_HandlingUnitHeaderDelivery", "to_DeliveryDocumentPartner", "to_DeliveryDocumentItem"},
	},
	"CreditManagementAccount": {
		service: "API_CRDTMBUSINESSPARTNER",
		keys:    []string{"BusinessPartner", "CreditSegment"},
		properties: []string{
			"BusinessPartner", "CreditSegment", "BusinessPartnerIsCritical", "CreditAccountIsBlocked", "CreditAccountBlockReason",
			"CreditAccountResubmissionDate", "CreditLimitAmount", "CreditLimitValidityEndDate", "CreditLimitLastChangeDate",
			"CreditLimitCalculatedAmount", "CreditLimitIsZero", "CreditLimitRequestedAmount", "CrdtLmtIsReqdFrmAutomCalc",
			"CreditLimitReqdValidityEndDate", "CreditLimitRequestDate", "CreditSegmentCurrency",
		},
	},
	"AvailabilityRecord": {
		service: "API_PRODUCT_AVAILY_INFO_BASIC",
		properties: []string{
			"PeriodStartUTCDateTime", "PeriodStartTimeZone", "PeriodEndUTCDateTime", "PeriodEndTimeZone",
			"AvailableQuantityInBaseUnit", "BaseUnit",
		},
	},
	"A_CreditBlockedSalesDocument": {
		service:    "API_SLS_DOC_WITH_CREDIT_BLOCK",
		keys:       []string{"SalesDocument"},
		properties: []string{"SalesDocument"},
	},
}
