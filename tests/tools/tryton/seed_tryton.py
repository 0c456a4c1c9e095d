#!/usr/bin/env python3
"""Seed a freshly activated Tryton 8.2 database with realistic ERP data.

Run with the interpreter of the venv that holds trytond + proteus, AFTER
`trytond-admin -u purchase stock production production_work
--activate-dependencies` has activated the modules:

    python seed_tryton.py --config trytond.conf --database erp

What it creates (all through proteus, i.e. the same business logic a
user of the client would trigger):
  * company "Acme Manufacturing Inc." in USD (plus EUR with a rate),
    chart of accounts, fiscal year, 1 employee linked to admin
  * 6 supplier parties (with address, email, phone) + 1 customer
  * 10 products (units: Unit, kg, Liter, Meter) with codes, some with
    supplier prices (purchase.product_supplier)
  * stock levels in the default warehouse (WH / storage STO) by inventory
  * 26 purchase orders spread over draft / quotation / confirmed /
    processing / done / cancelled (one in EUR)
  * a BOM + routing + work centers and 5 productions whose 9 production.work
    cover every work state (request, draft, waiting, running, finished, done)
    and one cancelled production
  * a second user "clerk" (password --clerk-password) in group Stock only:
    may READ purchases and stock, gets access errors on create/write/buttons
  * optionally --bulk N extra draft purchases (3 lines each, created
    server-side in batches of 200: ~15 s per 1000) for paging benchmarks;
    with --bulk-only, only those, added to a database seeded before
It prints a JSON summary on stdout (ids, counts, timings).
"""

import argparse
import datetime as dt
import json
import random
import sys
import time
from decimal import Decimal

T0 = time.monotonic()


def create_bulk(Model, cfg, count, goods, suppliers, payment_term, warehouse):
    """`count` draft purchases of 3 lines each, created server-side in batches of 200.

    `goods` are (product id, unit id, price) of purchasable products, `suppliers` parties with
    an address; purchase k orders from supplier k mod len and starts at product k mod len.
    """
    Purchase = Model.get("purchase.purchase")
    done = 0
    while done < count:
        vlist = []
        for k in range(done, min(count, done + 200)):
            lines = []
            for j in range(3):
                pid, uom, price = goods[(k + j) % len(goods)]
                lines.append(
                    {
                        "type": "line",
                        "product": pid,
                        "unit": uom,
                        "quantity": float(1 + k % 7),
                        "unit_price": price,
                    }
                )
            sup = suppliers[k % len(suppliers)]
            vlist.append(
                {
                    "party": sup.id,
                    "invoice_address": sup.addresses[0].id,
                    "payment_term": payment_term.id,
                    "warehouse": warehouse.id,
                    "invoice_method": "manual",
                    "reference": f"BULK-{k:06d}",
                    "lines": [("create", lines)],
                }
            )
        Purchase._proxy.create(vlist, cfg.context)
        done += len(vlist)


def bulk_only(Model, cfg, count):
    """Add `count` bulk purchases to a database this script seeded before.

    Reads back what the full seed would pass to `create_bulk`: the supplier price list gives
    the products, their prices and the suppliers in creation order, so the purchases are the
    same as those of a full build with `--bulk`.
    """
    User = Model.get("res.user")
    cfg._context = User.get_preferences(True, {})
    ProductSupplier = Model.get("purchase.product_supplier")
    offers = ProductSupplier.find([], order=[("id", "ASC")])
    goods = [(o.product.id, o.product.default_uom.id, o.prices[0].unit_price) for o in offers]
    Party = Model.get("party.party")
    suppliers = Party.find(
        [("id", "in", sorted({o.party.id for o in offers}))], order=[("id", "ASC")]
    )
    (payment_term,) = Model.get("account.invoice.payment_term").find([("name", "=", "Net 30")])
    (warehouse,) = Model.get("stock.location").find([("type", "=", "warehouse")])
    create_bulk(Model, cfg, count, goods, suppliers, payment_term, warehouse)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", required=True, help="trytond.conf path")
    parser.add_argument("--database", required=True, help="database name")
    parser.add_argument("--clerk-password", default="Clerk-Pass-2024!")
    parser.add_argument(
        "--bulk", type=int, default=0, help="extra draft purchases to create for volume tests"
    )
    parser.add_argument(
        "--bulk-only",
        action="store_true",
        help="only add the --bulk purchases to a database this script already seeded",
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    random.seed(args.seed)

    import trytond.config as tconfig
    from proteus import Model
    from proteus import config as pconfig

    cfg = pconfig.set_trytond(database=args.database, config_file=args.config)
    t_connect = time.monotonic() - T0
    if args.bulk_only:
        bulk_only(Model, cfg, args.bulk)
        Purchase = Model.get("purchase.purchase")
        summary = {
            "database": args.database,
            "bulk_purchases": args.bulk,
            "purchases": Purchase._proxy.search_count([], cfg.context),
            "timings_s": {"total": round(time.monotonic() - T0, 2)},
        }
        json.dump(summary, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
        return

    from trytond.modules.account.tests.tools import create_chart, create_fiscalyear, get_accounts
    from trytond.modules.account_invoice.tests.tools import (
        create_payment_term,
        set_fiscalyear_invoice_sequences,
    )
    from trytond.modules.company.tests.tools import create_company
    from trytond.modules.currency.tests.tools import get_currency

    today = dt.date.today()
    summary = {}

    # ---- company, currency, chart of accounts, fiscal year ---------------
    Party = Model.get("party.party")
    Country = Model.get("country.country")
    usa = Country(name="United States", code="US")
    usa.save()
    deu = Country(name="Germany", code="DE")
    deu.save()
    company_party = Party(name="Acme Manufacturing Inc.")
    (addr,) = company_party.addresses
    addr.street = "100 Industrial Way"
    addr.city = "Springfield"
    addr.postal_code = "62701"
    addr.country = usa
    company_party.save()
    usd = get_currency("USD")
    eur = get_currency("EUR")
    create_company(party=company_party, currency=usd)
    create_chart()
    fiscalyear = set_fiscalyear_invoice_sequences(create_fiscalyear(today=today))
    fiscalyear.click("create_period")
    accounts = get_accounts()
    payment_term = create_payment_term()
    payment_term.name = "Net 30"
    payment_term.save()
    Journal = Model.get("account.journal")
    PaymentMethod = Model.get("account.invoice.payment.method")
    (cash_journal,) = Journal.find([("type", "=", "cash")])
    payment_method = PaymentMethod(
        name="Bank transfer",
        journal=cash_journal,
        credit_account=accounts["cash"],
        debit_account=accounts["cash"],
    )
    payment_method.save()

    Employee = Model.get("company.employee")
    User = Model.get("res.user")
    emp_party = Party(name="Jane Buyer")
    emp_party.save()
    employee = Employee(party=emp_party)
    employee.save()
    admin = User(cfg.user)
    admin.employees.append(employee)
    admin.employee = employee
    admin.save()
    cfg._context = User.get_preferences(True, {})
    t_company = time.monotonic() - T0

    # ---- parties -----------------------------------------------------------
    supplier_specs = [
        (
            "Bearing World LLC",
            "Detroit",
            "48201",
            usa,
            "sales@bearingworld.example",
            "+1 313 555 0101",
        ),
        (
            "Hydraulic Supply Co.",
            "Cleveland",
            "44101",
            usa,
            "orders@hydsupply.example",
            "+1 216 555 0102",
        ),
        (
            "Steel & Sheet Metals Inc.",
            "Pittsburgh",
            "15201",
            usa,
            "info@steelsheet.example",
            "+1 412 555 0103",
        ),
        (
            "Lubricants Direct",
            "Houston",
            "77001",
            usa,
            "sales@lubdirect.example",
            "+1 713 555 0104",
        ),
        ("Fastener Depot", "Chicago", "60601", usa, "depot@fasteners.example", "+1 312 555 0105"),
        (
            "Antriebstechnik GmbH",
            "Stuttgart",
            "70173",
            deu,
            "vertrieb@antrieb.example",
            "+49 711 555 0106",
        ),
    ]
    suppliers = []
    for name, city, zip_, country, email, phone in supplier_specs:
        p = Party(name=name)
        (a,) = p.addresses
        a.street = f"{random.randint(1, 999)} Commerce Street"
        a.city = city
        a.postal_code = zip_
        a.country = country
        p.contact_mechanisms.new(type="email", value=email)
        p.contact_mechanisms.new(type="phone", value=phone)
        p.save()
        suppliers.append(p)
    customer = Party(name="Metro Water Utility")
    customer.save()

    # ---- products ----------------------------------------------------------
    Uom = Model.get("product.uom")
    (unit,) = Uom.find([("name", "=", "Unit")])
    (kg,) = Uom.find([("name", "=", "Kilogram")])
    (liter,) = Uom.find([("name", "=", "Liter")])
    (meter,) = Uom.find([("name", "=", "Meter")])
    ProductCategory = Model.get("product.category")
    acc_cat = ProductCategory(name="MRO Purchases")
    acc_cat.accounting = True
    acc_cat.account_expense = accounts["expense"]
    acc_cat.account_revenue = accounts["revenue"]
    acc_cat.save()
    Template = Model.get("product.template")
    ProductSupplier = Model.get("purchase.product_supplier")
    product_specs = [
        # code, name, uom, price, supplier idx
        ("BRG-6204-2RS", "Deep groove ball bearing 6204-2RS", unit, "4.85", 0),
        ("BRG-6310", "Ball bearing 6310 open", unit, "21.40", 0),
        ("FLT-HYD-10M", "Hydraulic filter element 10 micron", unit, "38.90", 1),
        ("HOSE-HYD-12", "Hydraulic hose 1/2in SAE 100R2", meter, "7.25", 1),
        ("STL-SHT-2MM", "Steel sheet S235 2mm", kg, "1.32", 2),
        ("OIL-ISO46", "Hydraulic oil ISO VG 46", liter, "3.10", 3),
        ("GRS-EP2", "Grease EP2 lithium", kg, "9.80", 3),
        ("BOLT-M8X30", "Hex bolt M8x30 8.8 zinc", unit, "0.12", 4),
        ("MTR-3KW-4P", "Electric motor 3kW 4-pole IE3", unit, "415.00", 5),
        ("PMP-ASM-100", "Centrifugal pump assembly PA-100", unit, "0", None),
    ]
    products = {}
    prices = {}
    for code, name, uom, price, sup in product_specs:
        t = Template(name=name, code=code, default_uom=uom, type="goods")
        t.purchasable = sup is not None
        if sup is not None:
            t.purchase_uom = uom
        t.list_price = Decimal(price) * Decimal("1.6")
        t.cost_price_method = "average"
        t.account_category = acc_cat
        if code == "PMP-ASM-100":
            t.producible = True
            t.list_price = Decimal("1250")
        t.save()
        (product,) = t.products
        products[code] = product
        prices[code] = Decimal(price)
        if sup is not None:
            ps = ProductSupplier(
                template=t,
                product=product,
                party=suppliers[sup],
                code="V-" + code,
                lead_time=dt.timedelta(days=random.randint(3, 21)),
            )
            ps.prices.new(quantity=0, unit_price=Decimal(price))
            ps.save()
    t_products = time.monotonic() - T0

    # ---- stock levels (inventory in WH/STO) ------------------------------
    Location = Model.get("stock.location")
    Inventory = Model.get("stock.inventory")
    (warehouse,) = Location.find([("type", "=", "warehouse")])
    (storage,) = Location.find([("code", "=", "STO")])
    inventory = Inventory(location=storage)
    stock_levels = {
        "BRG-6204-2RS": 120,
        "BRG-6310": 14,
        "FLT-HYD-10M": 8,
        "HOSE-HYD-12": 250,
        "STL-SHT-2MM": 1800,
        "OIL-ISO46": 640,
        "GRS-EP2": 35,
        "BOLT-M8X30": 5000,
        "MTR-3KW-4P": 8,
    }
    for code, qty in stock_levels.items():
        line = inventory.lines.new(product=products[code])
        line.quantity = qty
    inventory.click("confirm")
    t_stock = time.monotonic() - T0

    # ---- purchases ---------------------------------------------------------
    Purchase = Model.get("purchase.purchase")
    sup_products = {}
    for code, name, uom, price, sup in product_specs:
        if sup is not None:
            sup_products.setdefault(sup, []).append(code)

    def purchase_values(idx, invoice_method="manual", currency=None):
        # Plain create() values (what a remote client would send): proteus
        # object building runs every on_change and costs ~0.5 s per order.
        sup = idx % len(suppliers)
        purchase_date = today - dt.timedelta(days=60 - 2 * idx)
        values = {
            "party": suppliers[sup].id,
            "invoice_address": suppliers[sup].addresses[0].id,
            "payment_term": payment_term.id,
            "invoice_method": invoice_method,
            "warehouse": warehouse.id,
            "currency": (currency or usd).id,
            "reference": f"RFQ-{1000 + idx:05d}",
            "description": random.choice(
                [
                    "Quarterly MRO replenishment",
                    "Pump line PM spares",
                    f"Breakdown repair WO-{random.randint(100, 999)}",
                    "Stock top-up",
                    "Shutdown 2024 kit",
                    "Safety stock",
                ]
            ),
            "purchase_date": purchase_date,
            "delivery_date": purchase_date + dt.timedelta(days=14),
        }
        lines = []
        codes = sup_products.get(sup) or ["BOLT-M8X30"]
        for code in random.sample(codes, k=min(len(codes), random.randint(1, 3))):
            price = prices[code]
            if currency is not None and currency.code == "EUR":
                price = (price * 2).quantize(Decimal("0.0001"))
            lines.append(
                {
                    "type": "line",
                    "product": products[code].id,
                    "unit": products[code].default_uom.id,
                    "quantity": float(random.choice([2, 5, 10, 20, 50, 100])),
                    "unit_price": price,
                }
            )
        if idx % 5 == 0:
            lines.append(
                {"type": "comment", "description": "Deliver to dock 3, attention: maintenance"}
            )
        values["lines"] = [("create", lines)]
        return values

    plan = (
        ["draft"] * 6
        + ["quotation"] * 5
        + ["confirmed"] * 4
        + ["processing"] * 5
        + ["done"] * 4
        + ["cancelled"] * 2
    )
    created = {s: [] for s in set(plan)}
    vlist = []
    for idx, target in enumerate(plan):
        currency = eur if target == "quotation" and idx == 7 else None
        # "done" needs shipment received AND invoice paid (or nothing to
        # invoice), so those use invoice_method "order" (invoice at confirm)
        method = "order" if target == "done" or (target == "processing" and idx % 2) else "manual"
        vlist.append(purchase_values(idx, method, currency))
    ids = Purchase._proxy.create(vlist, cfg.context)
    for target, pid in zip(plan, ids):
        created[target].append(Purchase(pid))
    t_created = time.monotonic() - T0
    # workflow buttons, batched (one transaction per button per batch)
    Purchase.click(created["cancelled"], "cancel")
    Purchase.click(
        created["quotation"] + created["confirmed"] + created["processing"] + created["done"],
        "quote",
    )
    # Without a queue worker, "confirm" runs "process" right after commit
    # and the order jumps to "processing". Pretend a worker exists so the
    # task stays queued in ir.queue -> state stays "confirmed".
    tconfig.set("queue", "worker", "True")
    try:
        Purchase.click(created["confirmed"], "confirm")
    finally:
        tconfig.set("queue", "worker", "False")
    Purchase.click(created["processing"] + created["done"], "confirm")

    # receive goods + post and pay the supplier invoice -> purchase "done"
    ShipmentIn = Model.get("stock.shipment.in")
    Move = Model.get("stock.move")
    for p in created["done"]:
        p.reload()
        shipment = ShipmentIn(supplier=p.party, warehouse=warehouse)
        for move in p.moves:
            shipment.incoming_moves.append(Move(move.id))
        shipment.save()
        shipment.click("receive")
        shipment.click("do")
        p.reload()
        (invoice,) = p.invoices
        invoice.invoice_date = today
        invoice.reference = f"INV-{p.number}"
        invoice.click("post")
        pay = invoice.click("pay")
        pay.form.payment_method = payment_method
        pay.execute("choice")
    # partially receive one processing order
    p = created["processing"][0]
    p.reload()
    move = p.moves[0]
    shipment = ShipmentIn(supplier=p.party, warehouse=warehouse)
    shipment.incoming_moves.append(Move(move.id))
    shipment.save()
    shipment.click("receive")
    shipment.click("do")
    t_purchases = time.monotonic() - T0

    # ---- production works -------------------------------------------------
    WorkCenter = Model.get("production.work.center")
    WorkCenterCategory = Model.get("production.work.center.category")
    cat_mach = WorkCenterCategory(name="Machining")
    cat_mach.save()
    cat_asm = WorkCenterCategory(name="Assembly")
    cat_asm.save()
    root = WorkCenter(name="Plant 1", warehouse=warehouse)
    root.save()
    lathe = WorkCenter(
        name="CNC Lathe L-01",
        parent=root,
        category=cat_mach,
        warehouse=warehouse,
        cost_price=Decimal("65"),
        cost_method="hour",
    )
    lathe.save()
    bench = WorkCenter(
        name="Assembly Bench A",
        parent=root,
        category=cat_asm,
        warehouse=warehouse,
        cost_price=Decimal("12"),
        cost_method="cycle",
    )
    bench.save()
    BOM = Model.get("production.bom")
    bom = BOM(name="PA-100 pump")
    bom.inputs.new(product=products["MTR-3KW-4P"], quantity=1)
    bom.inputs.new(product=products["BRG-6204-2RS"], quantity=2)
    bom.inputs.new(product=products["BOLT-M8X30"], quantity=8)
    bom.outputs.new(product=products["PMP-ASM-100"], quantity=1)
    bom.save()
    Operation = Model.get("production.routing.operation")
    op1 = Operation(name="Machine housing", work_center_category=cat_mach)
    op1.save()
    op2 = Operation(name="Assemble pump", work_center_category=cat_asm)
    op2.save()
    Routing = Model.get("production.routing")
    routing = Routing(name="PA-100 routing")
    routing.boms.append(bom)
    routing.steps.new(operation=op1)
    routing.steps.new(operation=op2)
    routing.save()
    pump = products["PMP-ASM-100"]
    ProductBom = Model.get("product.product-production.bom")
    pump.boms.append(ProductBom(bom=bom, routing=routing))
    pump.save()
    Production = Model.get("production")
    Cycle = Model.get("production.work.cycle")

    def done_cycle(work, minutes):
        # duration is readonly while a cycle is draft: run, set, do
        work.cycles.new()
        work.save()
        cycle = work.cycles[-1]
        cycle.click("run")
        cycle = Cycle(cycle.id)
        cycle.duration = dt.timedelta(minutes=minutes)
        cycle.save()
        cycle.click("do")

    def production(days, run):
        prod = Production(
            product=pump,
            bom=bom,
            routing=routing,
            work_center=root,
            warehouse=warehouse,
            quantity=1,
        )
        prod.planned_date = today + dt.timedelta(days=days)
        prod.planned_start_date = today + dt.timedelta(days=days - 2)
        prod.click("wait")
        if run:
            prod.click("assign_try")
            prod.click("run")
            prod.reload()
        return prod

    # Every production.work state: request, draft, waiting, running, finished, done, plus a
    # finished work of a cancelled production.
    productions = []
    running = production(5, run=True)  # works: finished (45 min), draft
    done_cycle(running.works[0], 45)
    productions.append(running)
    productions.append(production(12, run=False))  # works: request, request
    busy = production(3, run=True)  # works: running, waiting
    busy.works[0].click("start")
    busy.reload()
    busy.works[1].cycles.new()
    busy.works[1].save()
    productions.append(busy)
    finished = production(-4, run=True)  # works: done, done
    done_cycle(finished.works[0], 90)
    done_cycle(finished.works[1], 30)
    finished.reload()
    finished.click("do")
    productions.append(finished)
    # Cancelling keeps the works that were started (their draft works are deleted).
    dropped = production(8, run=False)
    dropped.click("assign_try")
    dropped.reload()
    done_cycle(dropped.works[0], 20)
    dropped.reload()
    dropped.click("cancel")
    productions.append(dropped)
    Work = Model.get("production.work")
    works = Work.find([])
    t_production = time.monotonic() - T0

    # ---- a user without purchase rights ----------------------------------
    Group = Model.get("res.group")
    clerk = User(name="Stock clerk", login="clerk")
    clerk.password = args.clerk_password
    (stock_group,) = Group.find([("name", "=", "Stock")])
    clerk.groups.append(stock_group)
    clerk.save()
    t_users = time.monotonic() - T0

    # ---- optional volume: N draft purchases, server-side batch create ----
    if args.bulk:
        goods = [
            (products[c].id, products[c].default_uom.id, prices[c])
            for c, _, _, _, sup in product_specs
            if sup is not None
        ]
        create_bulk(Model, cfg, args.bulk, goods, suppliers, payment_term, warehouse)
    t_bulk = time.monotonic() - T0

    summary = {
        "database": args.database,
        "company_id": cfg.context.get("company"),
        "currency_usd_id": usd.id,
        "currency_eur_id": eur.id,
        "warehouse_id": warehouse.id,
        "storage_location_id": storage.id,
        "supplier_ids": [s.id for s in suppliers],
        "product_ids": {c: p.id for c, p in products.items()},
        "purchase_ids": {s: [p.id for p in ps] for s, ps in sorted(created.items())},
        "purchase_states": {},
        "production_ids": [p.id for p in productions],
        "work_states": sorted(w.state for w in works),
        "production_states": sorted(p.state for p in Production.find([])),
        "clerk_user_id": clerk.id,
        "bulk_purchases": args.bulk,
        "timings_s": {
            "connect": round(t_connect, 2),
            "company_chart_fiscalyear": round(t_company - t_connect, 2),
            "parties_products": round(t_products - t_company, 2),
            "stock_inventory": round(t_stock - t_products, 2),
            "purchases_create": round(t_created - t_stock, 2),
            "purchases_workflow": round(t_purchases - t_created, 2),
            "production_works": round(t_production - t_purchases, 2),
            "users": round(t_users - t_production, 2),
            "bulk": round(t_bulk - t_users, 2),
            "total": round(time.monotonic() - T0, 2),
        },
    }
    for p in Purchase.find([]):
        summary["purchase_states"][p.state] = summary["purchase_states"].get(p.state, 0) + 1
    json.dump(summary, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
