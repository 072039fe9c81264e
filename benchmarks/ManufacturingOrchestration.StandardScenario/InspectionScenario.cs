using System.Globalization;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Model.Events;
using ManufacturingOrchestration.Testing;

namespace ManufacturingOrchestration.StandardScenario;

/// <summary>
/// The standard "incoming inspection" scenario: 500 materials (class A when i%10 == 0, B when i%10 in 1..3, else C;
/// supplier "S" + i%50), lots k = 0..N-1 of material k%500 at site "P" + (k%3 + 1), 100 EA in quality inspection;
/// one inspection result per lot, failed when k%5 == 0 (severity Critical when k%15 == 0, else Major); 1% of the
/// events are sent a second time with the same source and id. Every runner of the comparison uses this one definition.
/// </summary>
public sealed class InspectionScenario
{
    public const int MaterialCount = 500;
    public const int SiteCount = 3;
    public const string Source = "qms://throughput";
    public const decimal LotQuantity = 100m;

    public InspectionScenario(int lots)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lots, 1);
        Lots = lots;
        Materials = new MaterialDefinition[MaterialCount];
        for (var i = 0; i < MaterialCount; i++)
        {
            Materials[i] = new MaterialDefinition
            {
                Id = new MaterialId("M-" + i.ToString("D3", CultureInfo.InvariantCulture)),
                BaseUnit = UnitOfMeasure.Each,
                Criticality = (i % 10) switch
                {
                    0 => CriticalityClass.A,
                    1 or 2 or 3 => CriticalityClass.B,
                    _ => CriticalityClass.C,
                },
                Supplier = new SupplierId("S" + (i % 50).ToString(CultureInfo.InvariantCulture)),
            };
        }

        Sites = new SiteProfile[SiteCount];
        for (var s = 0; s < SiteCount; s++)
        {
            var id = "P" + (s + 1).ToString(CultureInfo.InvariantCulture);
            Sites[s] = new SiteProfile { Id = new SiteId(id), HoldLocation = new BinId("HOLD-" + id) };
        }
    }

    public int Lots { get; }

    public MaterialDefinition[] Materials { get; }

    public SiteProfile[] Sites { get; }

    public static string LotId(int k) => "L-" + k.ToString("D7", CultureInfo.InvariantCulture);

    public static bool IsFailed(int k) => k % 5 == 0;

    public static bool IsCritical(int k) => k % 15 == 0;

    public static bool IsDuplicated(int k) => k % 100 == 37;

    /// <summary>Whether lot k is in the 1 % sample whose explanation is recomputed and compared byte for byte.</summary>
    public static bool IsExplanationSampled(int k) => k % 100 == 0;

    /// <summary>The lot number k of a lot id written by <see cref="LotId(int)"/>.</summary>
    public static int LotNumber(string lotId) => int.Parse(lotId.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture);

    public MaterialDefinition MaterialOf(int k) => Materials[k % MaterialCount];

    public SiteProfile SiteOf(int k) => Sites[k % SiteCount];

    /// <summary>Whether the failed lot k must get a supplier quality case: a critical defect, or a class A material.</summary>
    public bool NeedsSupplierCase(int k) => IsFailed(k) && (IsCritical(k) || MaterialOf(k).Criticality == CriticalityClass.A);

    /// <summary>Registers the materials, hold locations and lots with the plant (before any timing starts).</summary>
    public void Register(PlantSimulator plant)
    {
        foreach (var site in Sites)
        {
            plant.AddSite(site);
        }

        foreach (var material in Materials)
        {
            plant.AddMaterial(material);
        }

        for (var k = 0; k < Lots; k++)
        {
            plant.AddLot(LotAt(k), ReceivingBin(k));
        }
    }

    /// <summary>Lot k as the ERP holds it before its result arrives: <see cref="LotQuantity"/> EA in quality inspection.</summary>
    public MaterialLot LotAt(int k)
    {
        var material = MaterialOf(k);
        return new MaterialLot
        {
            Id = new LotId(LotId(k)),
            Material = material.Id,
            Site = SiteOf(k).Id,
            Supplier = material.Supplier,
            Unit = UnitOfMeasure.Each,
            Buckets = [new StockBucket { Category = StockCategory.QualityInspection, Quantity = Quantity.Each(LotQuantity) }],
        };
    }

    /// <summary>The bin lot k was received into, at its site.</summary>
    public BinId ReceivingBin(int k) => new("RCV-" + SiteOf(k).Id.Value);

    /// <summary>The event stream: one result per lot, and a second copy of every hundredth one a little later in the stream.</summary>
    public EventEnvelope[] CreateEvents() => [.. Events()];

    /// <summary>
    /// The event stream of <see cref="CreateEvents"/>, each envelope made as it is enumerated (a burst of a million
    /// events publishes them so, rather than holding them all before it starts).
    /// </summary>
    public IEnumerable<EventEnvelope> Events()
    {
        var resend = new Queue<(int DueAt, EventEnvelope Envelope)>();
        for (var k = 0; k < Lots; k++)
        {
            var envelope = EventFor(k);
            yield return envelope;
            if (IsDuplicated(k))
            {
                // Re-sent about 300 events later: usually in another publish batch, sometimes after it was processed.
                resend.Enqueue((k + 300, envelope with { }));
            }

            while (resend.Count > 0 && resend.Peek().DueAt <= k)
            {
                yield return resend.Dequeue().Envelope;
            }
        }

        while (resend.Count > 0)
        {
            yield return resend.Dequeue().Envelope;
        }
    }

    /// <summary>How many events <see cref="Events"/> yields: one per lot and the duplicates.</summary>
    public int EventCount => Lots + DuplicateCount(Lots);

    public static int DuplicateCount(int lots)
    {
        var count = 0;
        for (var k = 0; k < lots; k++)
        {
            if (IsDuplicated(k))
            {
                count++;
            }
        }

        return count;
    }

    private EventEnvelope EventFor(int k)
    {
        var material = MaterialOf(k);
        var site = SiteOf(k);
        var lot = new LotId(LotId(k));
        var inspectionLot = new InspectionLotId("IL-" + lot.Value);
        var id = "insp-" + k.ToString(CultureInfo.InvariantCulture);
        if (IsFailed(k))
        {
            return new EventEnvelope
            {
                Id = id,
                Source = Source,
                Type = EventTypes.InspectionFailed,
                Site = site.Id,
                Data = new InspectionFailed
                {
                    InspectionLot = inspectionLot,
                    Lot = lot,
                    Material = material.Id,
                    Site = site.Id,
                    Supplier = material.Supplier,
                    Severity = IsCritical(k) ? DefectSeverity.Critical : DefectSeverity.Major,
                    DefectDescription = "Dimension out of tolerance",
                },
            };
        }

        return new EventEnvelope
        {
            Id = id,
            Source = Source,
            Type = EventTypes.InspectionPassed,
            Site = site.Id,
            Data = new InspectionPassed { InspectionLot = inspectionLot, Lot = lot, Material = material.Id, Site = site.Id },
        };
    }
}
