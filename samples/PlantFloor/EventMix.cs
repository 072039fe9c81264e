using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.Samples.PlantFloor;

/// <summary>
/// A shift's worth of plant events across P1, P2 and P3, generated from a seed together with the master data the
/// simulated systems need for them (lots, orders, nonconformances, genealogy). The mix: incoming inspections (some
/// failing, then dispositioned by the MRB), cycle counts (some over tolerance), scrap reports per line (now and then a
/// spike), partial and final production confirmations, and finished-goods releases. A few scripted events open the
/// shift so every scenario — a failure, a regulated release, an over-tolerance count — happens at any size.
/// </summary>
public sealed class EventMix
{
    private readonly Random _random;
    private readonly PlantSimulator _plant;
    private readonly List<EventEnvelope> _events = [];
    private readonly List<EventEnvelope> _deferred = [];
    private readonly HashSet<string> _approvalKeys = new(StringComparer.Ordinal);
    private readonly List<LotId> _lots = [];
    private readonly List<(OrderId Order, SiteId Site, decimal Remaining)> _openOrders = [];
    private int _next;

    private EventMix(PlantSimulator plant, int seed)
    {
        _plant = plant;
        _random = new Random(seed);
    }

    /// <summary>The events, in publication order.</summary>
    public IReadOnlyList<EventEnvelope> Events => _events;

    /// <summary>The partitions whose events may wait for a signature (regulated releases, over-tolerance counts).</summary>
    public IReadOnlySet<string> ApprovalKeys => _approvalKeys;

    /// <summary>Every lot the mix created (for reconciliation).</summary>
    public IReadOnlyList<LotId> Lots => _lots;

    /// <summary>Lots in unrestricted stock that nothing but a cycle count touches (safe places for a manual ERP posting).</summary>
    public IReadOnlyList<(LotId Lot, MaterialId Material, SiteId Site)> CountedLots { get; private set; } = [];

    /// <summary>Generates <paramref name="count"/> events and seeds the simulators with what they refer to.</summary>
    /// <param name="plant">The simulators.</param>
    /// <param name="count">How many events (at least the scripted opening).</param>
    /// <param name="seed">The seed.</param>
    /// <returns>The mix.</returns>
    public static EventMix Create(PlantSimulator plant, int count, int seed)
    {
        ArgumentNullException.ThrowIfNull(plant);
        var mix = new EventMix(plant, seed);
        var counted = new List<(LotId, MaterialId, SiteId)>();

        // The scripted opening: one of each story, whatever the size of the run.
        mix.Inspection(Plants.P1.Id, fails: true, mrb: true);
        mix.Inspection(Plants.P3.Id, fails: false, mrb: false);
        counted.Add(mix.Count(Plants.P2.Id, overTolerance: true));
        mix.Confirmation(Plants.P2.Id);
        mix.Release(Plants.P1.Id);

        while (mix._events.Count + mix._deferred.Count < count)
        {
            var site = mix.PickSite();
            var roll = mix._random.NextDouble();
            if (roll < 0.30)
            {
                var fails = mix._random.NextDouble() < 0.15;
                mix.Inspection(site, fails, mrb: fails && site != Plants.P3.Id && mix._random.NextDouble() < 0.6);
            }
            else if (roll < 0.50)
            {
                counted.Add(mix.Count(site, overTolerance: mix._random.NextDouble() < 0.12));
            }
            else if (roll < 0.75)
            {
                mix.Scrap(site);
            }
            else if (roll < 0.90)
            {
                mix.Confirmation(site);
            }
            else
            {
                mix.Release(site == Plants.P3.Id ? Plants.P2.Id : site);
            }

            // Dispositions come a while after the failure they answer.
            if (mix._deferred.Count > 0 && mix._random.NextDouble() < 0.3)
            {
                mix._events.Add(mix._deferred[0]);
                mix._deferred.RemoveAt(0);
            }
        }

        mix._events.AddRange(mix._deferred);
        mix._deferred.Clear();
        mix.CountedLots = counted;
        return mix;
    }

    /// <summary>
    /// A lot whose only ERP stock posting is the release of a passed inspection, for the ERP→WMS interface to lose: the
    /// first passed at P1 or P2 from event <paramref name="from"/> on (publication order), else the last one before it.
    /// </summary>
    /// <param name="from">The index of the first event to consider.</param>
    /// <returns>The lot, or <see langword="null"/> when no inspection passes at P1 or P2.</returns>
    public LotId? LotForLostWmsPosting(int from)
    {
        LotId? before = null;
        for (var i = 0; i < _events.Count; i++)
        {
            if (_events[i].Data is InspectionPassed passed && passed.Site != Plants.P3.Id)
            {
                if (i >= from)
                {
                    return passed.Lot;
                }

                before = passed.Lot;
            }
        }

        return before;
    }

    /// <summary>
    /// The id of the first event of a type from event <paramref name="from"/> on (publication order), else of the last one
    /// before it: the scripted opening has one event of each type, so there always is one.
    /// </summary>
    /// <param name="type">The event type.</param>
    /// <param name="from">The index of the first event to consider.</param>
    /// <returns>The event id.</returns>
    public string FirstEventOf(string type, int from)
    {
        string? before = null;
        for (var i = 0; i < _events.Count; i++)
        {
            if (string.Equals(_events[i].Type, type, StringComparison.Ordinal))
            {
                if (i >= from)
                {
                    return _events[i].Id;
                }

                before = _events[i].Id;
            }
        }

        return before ?? throw new InvalidOperationException($"The mix has no {type} event.");
    }

    private SiteId PickSite()
    {
        var roll = _random.NextDouble();
        return roll < 0.4 ? Plants.P1.Id : roll < 0.75 ? Plants.P2.Id : Plants.P3.Id;
    }

    private string NextId(string prefix) => $"{prefix}-{++_next:00000}";

    private void Inspection(SiteId site, bool fails, bool mrb)
    {
        var lot = new LotId(NextId($"L-{site.Value}"));
        var quantity = 50 * _random.Next(1, 10);
        Plants.AddLot(_plant, lot.Value, Plants.Capacitor, site, quantity, StockCategory.QualityInspection);
        _lots.Add(lot);
        var source = "qms://" + site.Value;
        if (!fails)
        {
            if (site == Plants.P3.Id)
            {
                _approvalKeys.Add(lot.Value);
            }

            _events.Add(Envelope(source, EventTypes.InspectionPassed, site, new InspectionPassed { InspectionLot = new InspectionLotId("IL-" + lot.Value), Lot = lot, Material = Plants.Capacitor, Site = site, Inspector = Plants.Inspector }));
            return;
        }

        _events.Add(Envelope(source, EventTypes.InspectionFailed, site, new InspectionFailed
        {
            InspectionLot = new InspectionLotId("IL-" + lot.Value),
            Lot = lot,
            Material = Plants.Capacitor,
            Site = site,
            Supplier = Plants.Acme,
            Severity = _random.NextDouble() < 0.3 ? DefectSeverity.Minor : DefectSeverity.Major,
            DefectDescription = "Capacitance out of tolerance",
            Evidence = [new EvidenceReference { Location = new Uri($"https://qms.example/evidence/{lot.Value}.pdf"), MediaType = "application/pdf" }],
        }));
        if (!mrb)
        {
            return;
        }

        var ncr = new NonconformanceId("NC-" + lot.Value);
        _plant.Qms.AddNonconformance(new Nonconformance
        {
            Id = ncr,
            Problem = "Capacitance out of tolerance",
            Site = site,
            Material = Plants.Capacitor,
            Lots = [lot],
            Quantity = Quantity.Each(quantity),
            Supplier = Plants.Acme,
            Status = NonconformanceStatus.Approved,
        });
        _deferred.Add(Envelope(source, EventTypes.MrbDispositionDecided, site, new MrbDispositionDecided
        {
            Nonconformance = ncr,
            Lot = lot,
            Material = Plants.Capacitor,
            Site = site,
            Lines = [new MrbDispositionLine { Disposition = MrbDisposition.ReturnToSupplier, Lot = lot, Quantity = Quantity.Each(quantity) }],
            DecidedBy = Plants.MrbMember,
        }));
    }

    private (LotId, MaterialId, SiteId) Count(SiteId site, bool overTolerance)
    {
        var material = overTolerance && _random.NextDouble() < 0.3 ? Plants.GoldWire : Plants.Screws;
        var lot = new LotId(NextId($"L-{site.Value}"));
        var book = material == Plants.GoldWire ? 50 : 1000;
        Plants.AddLot(_plant, lot.Value, material, site, book, StockCategory.Unrestricted);
        _lots.Add(lot);
        var variance = overTolerance ? Math.Round(book * (0.1m + ((decimal)_random.NextDouble() * 0.1m))) : _random.Next(0, 4);
        if (overTolerance)
        {
            _approvalKeys.Add(lot.Value);
        }

        _events.Add(Envelope("wms://" + site.Value, EventTypes.CycleCountRecorded, site, new CycleCountRecorded
        {
            Count = new Model.CycleCount
            {
                Id = new CycleCountId("CC-" + lot.Value),
                Material = material,
                Lot = lot,
                Site = site,
                Bin = new BinId("RCV-" + site.Value),
                BookQuantity = Quantity.Each(book),
                CountedQuantity = Quantity.Each(book - variance),
                CountedBy = Plants.Counter,
            },
        }));
        return (lot, material, site);
    }

    private void Scrap(SiteId site)
    {
        var line = "L" + _random.Next(1, 3);
        var produced = _random.Next(80, 200);
        var rate = _random.NextDouble() < 0.05 ? 0.10 + (_random.NextDouble() * 0.05) : _random.NextDouble() * 0.02;
        var scrap = Math.Max(1, (int)Math.Round(produced * rate));
        _events.Add(Envelope("mes://" + site.Value, EventTypes.ScrapReported, site, new ScrapReported
        {
            Site = site,
            Line = line,
            Material = Plants.Board,
            Quantity = Quantity.Each(scrap),
            GoodQuantity = Quantity.Each(produced - scrap),
        }));
    }

    private void Confirmation(SiteId site)
    {
        var open = _openOrders.FindIndex(o => o.Site == site);
        if (open < 0 || _random.NextDouble() < 0.4)
        {
            var order = new OrderId(NextId($"WO-{site.Value}"));
            var component = new LotId(NextId($"L-{site.Value}"));
            Plants.AddLot(_plant, component.Value, Plants.Capacitor, site, 400, StockCategory.Unrestricted);
            _plant.AddOrder(new ProductionOrder
            {
                Id = order,
                Material = Plants.Board,
                Site = site,
                PlannedQuantity = Quantity.Each(100),
                Status = ProductionOrderStatus.Released,
                Allocations = [new Allocation { Order = order, Lot = component, Material = Plants.Capacitor, Quantity = Quantity.Each(200) }],
            });
            _openOrders.Add((order, site, 100));
            open = _openOrders.Count - 1;
        }

        var (id, _, remaining) = _openOrders[open];
        var final = remaining <= 60 || _random.NextDouble() < 0.3;
        var good = final ? remaining : _random.Next(20, 50);
        if (final)
        {
            _openOrders.RemoveAt(open);
        }
        else
        {
            _openOrders[open] = (id, site, remaining - good);
        }

        _events.Add(Envelope("mes://" + site.Value, EventTypes.ProductionConfirmed, site, new ProductionConfirmed
        {
            Order = id,
            Material = Plants.Board,
            Site = site,
            Yield = Quantity.Each(good),
            Scrap = _random.NextDouble() < 0.5 ? Quantity.Each(_random.Next(1, 4)) : null,
            IsFinal = final,
            ProducedLot = new LotId("FG-" + id.Value),
        }));
    }

    private void Release(SiteId site)
    {
        var lot = new LotId(NextId($"FG-{site.Value}"));
        Plants.AddLot(_plant, lot.Value, Plants.Board, site, 10 * _random.Next(2, 9), StockCategory.QualityInspection);
        _lots.Add(lot);
        var order = new OrderId(NextId($"WO-{site.Value}"));
        _plant.AddGenealogy(new GenealogyLink { ComponentLot = new LotId(NextId($"L-{site.Value}")), ProducedLot = lot, Order = order, Quantity = Quantity.Each(10) });
        string[] backorders = _random.NextDouble() < 0.5 ? [$"SO-{_random.Next(100, 999)}"] : [];
        _events.Add(Envelope("qms://" + site.Value, EventTypes.LotReleased, site, new LotReleased { Lot = lot, Material = Plants.Board, Site = site, ReleasedBy = Plants.QualityManager, ProducedBy = order, Backorders = backorders }));
    }

    private EventEnvelope Envelope(string source, string type, SiteId site, EventPayload data) => new()
    {
        Id = NextId("evt"),
        Source = source,
        Type = type,
        Site = site,
        Data = data,
    };
}
