"""The UACS object codes the portal offers (a subset of the government's chart of accounts: the
common personnel services, maintenance and other operating expenses, financial expenses and
capital outlay objects a ministry charges).

`load()` puts them in the database idempotently (insert what is missing, correct a changed title
or class, never delete: codes in use are protected); `manage.py load_uacs` and the data migration
call it. Codes added or deactivated in the admin stay as the admin left them, except that a code
of this list gets its title and class back.
"""

from __future__ import annotations

PS, MOOE, FINEX, CO = "PS", "MOOE", "FinEx", "CO"

#: (code, title, allotment class)
CHART: list[tuple[str, str, str]] = [
    # Personnel services
    ("5010101001", "Salaries and Wages – Regular", PS),
    ("5010102000", "Salaries and Wages – Casual/Contractual", PS),
    ("5010201001", "Personnel Economic Relief Allowance (PERA)", PS),
    ("5010202000", "Representation Allowance (RA)", PS),
    ("5010203001", "Transportation Allowance (TA)", PS),
    ("5010204001", "Clothing/Uniform Allowance", PS),
    ("5010210000", "Hazard Pay", PS),
    ("5010214001", "Year-End Bonus", PS),
    ("5010215001", "Cash Gift", PS),
    ("5010301000", "Retirement and Life Insurance Premiums", PS),
    ("5010302001", "Pag-IBIG Contributions", PS),
    ("5010303001", "PhilHealth Contributions", PS),
    ("5010304001", "Employees Compensation Insurance Premiums (ECIP)", PS),
    ("5010499099", "Other Personnel Benefits", PS),
    # Maintenance and other operating expenses
    ("5020101000", "Traveling Expenses – Local", MOOE),
    ("5020102000", "Traveling Expenses – Foreign", MOOE),
    ("5020201000", "Training Expenses", MOOE),
    ("5020301000", "Office Supplies Expenses", MOOE),
    ("5020302000", "Accountable Forms Expenses", MOOE),
    ("5020305000", "Food Supplies Expenses", MOOE),
    ("5020307000", "Drugs and Medicines Expenses", MOOE),
    ("5020308000", "Medical, Dental and Laboratory Supplies Expenses", MOOE),
    ("5020309000", "Fuel, Oil and Lubricants Expenses", MOOE),
    ("5020310000", "Agricultural and Marine Supplies Expenses", MOOE),
    ("5020399000", "Other Supplies and Materials Expenses", MOOE),
    ("5020401000", "Water Expenses", MOOE),
    ("5020402000", "Electricity Expenses", MOOE),
    ("5020501000", "Postage and Courier Services", MOOE),
    ("5020503000", "Internet Subscription Expenses", MOOE),
    ("5021103000", "Consultancy Services", MOOE),
    ("5021199000", "Other Professional Services", MOOE),
    ("5021202000", "Janitorial Services", MOOE),
    ("5021203000", "Security Services", MOOE),
    ("5021299000", "Other General Services", MOOE),
    ("5021304001", "Repairs and Maintenance – Buildings", MOOE),
    ("5021305000", "Repairs and Maintenance – Machinery and Equipment", MOOE),
    ("5021306000", "Repairs and Maintenance – Transportation Equipment", MOOE),
    ("5029902000", "Printing and Publication Expenses", MOOE),
    ("5029903000", "Representation Expenses", MOOE),
    ("5029904000", "Transportation and Delivery Expenses", MOOE),
    ("5029905001", "Rents – Buildings and Structures", MOOE),
    ("5029999099", "Other Maintenance and Operating Expenses", MOOE),
    # Financial expenses
    ("5030104000", "Bank Charges", FINEX),
    ("5030199000", "Other Financial Charges", FINEX),
    # Capital outlay
    ("1060301000", "Road Networks", CO),
    ("1060401000", "Buildings", CO),
    ("1060402000", "School Buildings", CO),
    ("1060403000", "Hospitals and Health Centers", CO),
    ("1060502000", "Office Equipment", CO),
    ("1060503000", "Information and Communications Technology Equipment", CO),
    ("1060504000", "Agricultural and Forestry Equipment", CO),
    ("1060511000", "Medical Equipment", CO),
    ("1060599000", "Other Machinery and Equipment", CO),
    ("1060601000", "Motor Vehicles", CO),
    ("1060604000", "Watercrafts", CO),
    ("1060701000", "Furniture and Fixtures", CO),
]


def load(model) -> tuple[int, int]:
    """Insert missing codes and correct changed ones; `model` is ObjectCode (or the migration's
    historical model). Returns (created, updated)."""
    existing = {o.code: o for o in model.objects.filter(code__in=[c for c, _t, _k in CHART])}
    created, updated = [], []
    for code, title, allotment_class in CHART:
        row = existing.get(code)
        if row is None:
            created.append(model(code=code, title=title, allotment_class=allotment_class))
        elif (row.title, row.allotment_class) != (title, allotment_class):
            row.title, row.allotment_class = title, allotment_class
            updated.append(row)
    model.objects.bulk_create(created)
    model.objects.bulk_update(updated, ["title", "allotment_class"])
    return len(created), len(updated)
