using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;

namespace ManufacturingOrchestration.Testing;

/// <summary>Options of a <see cref="PlantSimulator"/>.</summary>
public sealed class PlantSimulatorOptions
{
    /// <summary>The clock shared by every simulator. Default <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The seed of the fault injector. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>The effects-log file, or <see langword="null"/> (default) for an in-memory log.</summary>
    public string? EffectsLogPath { get; init; }

    /// <summary>Whether the simulators keep every call for inspection. Default <see langword="true"/>.</summary>
    public bool RecordCalls { get; init; } = true;

    /// <summary>
    /// Whether the ERP passes its stock postings to the WMS through <see cref="PlantSimulator.ErpToWmsInterface"/>, so the
    /// WMS's stock per category and ownership follows the ERP's. Default <see langword="true"/>; off, the WMS changes
    /// its stock only through its own seeding and move tasks.
    /// </summary>
    public bool ConnectErpToWms { get; init; } = true;

    /// <summary>Which ERP's rules the plant's <see cref="ErpSimulator"/> follows where SAP and Dynamics 365 differ. Default <see cref="ErpSimulatorProfile.SapLike"/>.</summary>
    public ErpSimulatorProfile ErpProfile { get; init; } = ErpSimulatorProfile.SapLike;
}

/// <summary>
/// One simulator of each system sharing a clock, a fault injector and an effects log, with seeding that keeps them
/// consistent (a lot seeded with a bin is in both the ERP and the WMS; an order is in both the ERP and the MES), and
/// an ERP→WMS interface that keeps them consistent afterwards (<see cref="ErpToWmsInterface"/>).
/// Dispose it to close a file-backed effects log.
/// </summary>
public sealed class PlantSimulator : IDisposable
{
    /// <summary>Creates a plant.</summary>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    public PlantSimulator(PlantSimulatorOptions? options = null)
    {
        options ??= new PlantSimulatorOptions();
        TimeProvider = options.TimeProvider;
        Faults = new FaultInjector(TimeProvider, options.Seed);
        Effects = options.EffectsLogPath is { } path ? EffectsLog.OpenFile(path) : new EffectsLog();
        var shared = new SimulatorOptions { TimeProvider = TimeProvider, Faults = Faults, Effects = Effects, RecordCalls = options.RecordCalls };
        Erp = new ErpSimulator(shared) { Profile = options.ErpProfile };
        Mes = new MesSimulator(shared);
        Qms = new QmsSimulator(shared);
        Wms = new WmsSimulator(shared);
        Procurement = new ProcurementSimulator(shared);
        Notification = new NotificationSimulator(shared);
        Adapters = AddTo(new AdapterSet());
        ErpToWmsInterface = new ErpToWmsInterface(Erp, Wms, TimeProvider) { IsEnabled = options.ConnectErpToWms };
    }

    /// <summary>The shared clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>The shared fault injector.</summary>
    public FaultInjector Faults { get; }

    /// <summary>The shared effects log.</summary>
    public EffectsLog Effects { get; }

    /// <summary>The ERP.</summary>
    public ErpSimulator Erp { get; }

    /// <summary>The MES.</summary>
    public MesSimulator Mes { get; }

    /// <summary>The QMS.</summary>
    public QmsSimulator Qms { get; }

    /// <summary>The WMS.</summary>
    public WmsSimulator Wms { get; }

    /// <summary>The procurement system and supplier portal.</summary>
    public ProcurementSimulator Procurement { get; }

    /// <summary>The notification system.</summary>
    public NotificationSimulator Notification { get; }

    /// <summary>
    /// The ERP→WMS interface: the WMS follows every ERP stock posting (unless switched off with
    /// <see cref="PlantSimulatorOptions.ConnectErpToWms"/>); lose or hold back a lot's postings through it to plant drift.
    /// </summary>
    public ErpToWmsInterface ErpToWmsInterface { get; }

    /// <summary>All six simulators as an <see cref="AdapterSet"/> over the library's operations, each the default adapter of its system.</summary>
    public AdapterSet Adapters { get; }

    /// <summary>Adds the six simulators to a set (one with your own operations, say), each as the default adapter of its system.</summary>
    /// <param name="adapters">The set.</param>
    /// <returns>The set.</returns>
    public AdapterSet AddTo(AdapterSet adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        return adapters
            .Add(CommandKinds.ErpSystem, Erp)
            .Add(CommandKinds.MesSystem, Mes)
            .Add(CommandKinds.QmsSystem, Qms)
            .Add(CommandKinds.WmsSystem, Wms)
            .Add(CommandKinds.ProcurementSystem, Procurement)
            .Add(CommandKinds.NotificationSystem, Notification);
    }

    /// <summary>Registers a site: its hold location becomes a hold bin in the WMS, the ERP judges expiry on its date (time zone), and the QMS knows its industry profile.</summary>
    /// <param name="site">The site.</param>
    /// <returns>This plant.</returns>
    public PlantSimulator AddSite(SiteProfile site)
    {
        ArgumentNullException.ThrowIfNull(site);
        if (site.HoldLocation is { } hold)
        {
            Wms.AddBin(hold, isHoldLocation: true);
        }

        Erp.AddSite(site);
        Qms.AddSite(site);
        return this;
    }

    /// <summary>Adds material master data to the ERP.</summary>
    /// <param name="material">The material.</param>
    /// <returns>This plant.</returns>
    public PlantSimulator AddMaterial(MaterialDefinition material)
    {
        Erp.AddMaterial(material);
        return this;
    }

    /// <summary>Adds a lot to the ERP and, when <paramref name="bin"/> is given, its stock (same categories and ownership) to that WMS bin.</summary>
    /// <param name="lot">The lot.</param>
    /// <param name="bin">The bin holding the lot, or <see langword="null"/> when the WMS does not manage it.</param>
    /// <returns>This plant.</returns>
    public PlantSimulator AddLot(MaterialLot lot, BinId? bin = null)
    {
        ArgumentNullException.ThrowIfNull(lot);
        Erp.AddLot(lot);
        if (bin is { } b)
        {
            foreach (var bucket in lot.Buckets)
            {
                Wms.AddStock(lot.Id, b, bucket.Quantity, bucket.Category, bucket.Ownership);
            }
        }

        return this;
    }

    /// <summary>Adds a production order to the ERP (with its allocations) and as a work order to the MES.</summary>
    /// <param name="order">The order.</param>
    /// <returns>This plant.</returns>
    public PlantSimulator AddOrder(ProductionOrder order)
    {
        Erp.AddOrder(order);
        Mes.AddWorkOrder(order);
        return this;
    }

    /// <summary>Adds a genealogy link to the MES.</summary>
    /// <param name="link">The link.</param>
    /// <returns>This plant.</returns>
    public PlantSimulator AddGenealogy(GenealogyLink link)
    {
        Mes.AddGenealogy(link);
        return this;
    }

    /// <summary>Adds a supplier's quality history to the QMS.</summary>
    /// <param name="history">The history.</param>
    /// <returns>This plant.</returns>
    public PlantSimulator AddSupplierHistory(SupplierQualityHistory history)
    {
        Qms.AddSupplierHistory(history);
        return this;
    }

    /// <summary>Files a certificate of analysis for its lot in the QMS.</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>This plant.</returns>
    public PlantSimulator AddCertificateOfAnalysis(CertificateOfAnalysis certificate)
    {
        Qms.AddCertificateOfAnalysis(certificate);
        return this;
    }

    /// <summary>Executes a command on the simulator of its target system.</summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The outcome.</returns>
    public ValueTask<AdapterResult> ExecuteAsync(AdapterCommand command, CancellationToken cancellationToken) => Adapters.ExecuteAsync(command, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        ErpToWmsInterface.Dispose();
        Effects.Dispose();
    }
}
