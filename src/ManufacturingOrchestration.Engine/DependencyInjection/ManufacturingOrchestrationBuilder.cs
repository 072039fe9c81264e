using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ManufacturingOrchestration.Engine.DependencyInjection;

/// <summary>
/// Composes the orchestrator registered by <c>services.AddManufacturingOrchestration(...)</c>: the store, the adapters,
/// the workflows, the actor directory and the options. Every method returns the builder. Other packages add their own
/// composition as extension methods (the shipped scenarios: <c>AddIncomingInspection()</c>, <c>AddSite(...)</c>,
/// <c>UseRules(...)</c>…).
/// </summary>
/// <remarks>
/// <para>Nothing is resolved while composing: factories run when the orchestrator is first resolved, and the result is
/// validated then (and at host start through <c>ValidateOnStart</c>), with one error that names every problem.</para>
/// <para>Store and adapter choices replace earlier ones (the last call wins); workflows and audit sinks accumulate. Packages add their own choices as extension methods over <see cref="Services"/> and
/// <see cref="UseStore(Func{IServiceProvider, IOrchestrationStore})"/>.</para>
/// </remarks>
public sealed class ManufacturingOrchestrationBuilder
{
    private readonly List<Func<IServiceProvider, WorkflowDefinition>> _workflows = [];
    private readonly HashSet<WorkflowDefinition> _workflowInstances = new(ReferenceEqualityComparer.Instance);

    internal ManufacturingOrchestrationBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection the orchestrator is registered in (for extension methods of other packages).</summary>
    public IServiceCollection Services { get; }

    internal IReadOnlyList<Func<IServiceProvider, WorkflowDefinition>> WorkflowFactories => _workflows;

    internal Func<IServiceProvider, AdapterSet>? AdapterSetFactory { get; private set; }

    internal Func<IServiceProvider, IErpAdapter>? ErpFactory { get; private set; }

    internal Func<IServiceProvider, IMesAdapter>? MesFactory { get; private set; }

    internal Func<IServiceProvider, IQmsAdapter>? QmsFactory { get; private set; }

    internal Func<IServiceProvider, IWmsAdapter>? WmsFactory { get; private set; }

    internal Func<IServiceProvider, IProcurementAdapter>? ProcurementFactory { get; private set; }

    internal Func<IServiceProvider, INotificationAdapter>? NotificationFactory { get; private set; }

    /// <summary>Uses a store instance (the caller keeps ownership; it is not disposed by the container).</summary>
    /// <param name="store">The store.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseStore(IOrchestrationStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        Services.Replace(ServiceDescriptor.Singleton(store));
        return this;
    }

    /// <summary>Uses a store created from the container when the orchestrator is first resolved (the container owns it).</summary>
    /// <param name="factory">Creates the store.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseStore(Func<IServiceProvider, IOrchestrationStore> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }

    /// <summary>Uses an <see cref="InMemoryOrchestrationStore"/>: for tests and demos only, since nothing survives a restart.</summary>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseInMemoryStore() => UseStore(static _ => new InMemoryOrchestrationStore());

    /// <summary>Uses a set of adapters; systems set with <c>UseErp</c>, <c>UseWms</c>… replace the set's member.</summary>
    /// <param name="adapters">The adapters.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseAdapters(AdapterSet adapters)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        AdapterSetFactory = _ => adapters;
        return this;
    }

    /// <summary>Uses a set of adapters created from the container.</summary>
    /// <param name="factory">Creates the set.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseAdapters(Func<IServiceProvider, AdapterSet> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        AdapterSetFactory = factory;
        return this;
    }

    /// <summary>Uses an ERP adapter.</summary>
    /// <param name="adapter">The adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseErp(IErpAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return UseErp(_ => adapter);
    }

    /// <summary>Uses an ERP adapter created from the container.</summary>
    /// <param name="factory">Creates the adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseErp(Func<IServiceProvider, IErpAdapter> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ErpFactory = factory;
        return this;
    }

    /// <summary>Uses an MES adapter.</summary>
    /// <param name="adapter">The adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseMes(IMesAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return UseMes(_ => adapter);
    }

    /// <summary>Uses an MES adapter created from the container.</summary>
    /// <param name="factory">Creates the adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseMes(Func<IServiceProvider, IMesAdapter> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        MesFactory = factory;
        return this;
    }

    /// <summary>Uses a QMS adapter.</summary>
    /// <param name="adapter">The adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseQms(IQmsAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return UseQms(_ => adapter);
    }

    /// <summary>Uses a QMS adapter created from the container.</summary>
    /// <param name="factory">Creates the adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseQms(Func<IServiceProvider, IQmsAdapter> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        QmsFactory = factory;
        return this;
    }

    /// <summary>Uses a WMS adapter.</summary>
    /// <param name="adapter">The adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseWms(IWmsAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return UseWms(_ => adapter);
    }

    /// <summary>Uses a WMS adapter created from the container.</summary>
    /// <param name="factory">Creates the adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseWms(Func<IServiceProvider, IWmsAdapter> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        WmsFactory = factory;
        return this;
    }

    /// <summary>Uses a procurement adapter.</summary>
    /// <param name="adapter">The adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseProcurement(IProcurementAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return UseProcurement(_ => adapter);
    }

    /// <summary>Uses a procurement adapter created from the container.</summary>
    /// <param name="factory">Creates the adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseProcurement(Func<IServiceProvider, IProcurementAdapter> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ProcurementFactory = factory;
        return this;
    }

    /// <summary>Uses a notification adapter.</summary>
    /// <param name="adapter">The adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseNotification(INotificationAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return UseNotification(_ => adapter);
    }

    /// <summary>Uses a notification adapter created from the container.</summary>
    /// <param name="factory">Creates the adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseNotification(Func<IServiceProvider, INotificationAdapter> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        NotificationFactory = factory;
        return this;
    }

    /// <summary>Registers a workflow definition; adding the same instance again has no effect.</summary>
    /// <param name="workflow">The definition.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddWorkflow(WorkflowDefinition workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        if (_workflowInstances.Add(workflow))
        {
            _workflows.Add(_ => workflow);
        }

        return this;
    }

    /// <summary>
    /// Registers a workflow created from the container (for example from services the workflow needs). Definitions with
    /// the same name, version and fingerprint are registered once; two different definitions with one name and version
    /// fail validation.
    /// </summary>
    /// <param name="factory">Creates the definition.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddWorkflow(Func<IServiceProvider, WorkflowDefinition> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _workflows.Add(factory);
        return this;
    }

    /// <summary>
    /// Adds an audit sink: committed audit records stream to it at least once, in commit order, from a cursor kept in the
    /// store under its <see cref="IAuditSink.Name"/> (see <see cref="OrchestratorOptions.AuditSinks"/>). The caller keeps
    /// ownership of the instance; adding the same instance again has no effect.
    /// </summary>
    /// <param name="sink">The sink.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddAuditSink(IAuditSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (!Services.Any(d => d.ServiceType == typeof(IAuditSink) && !d.IsKeyedService && ReferenceEquals(d.ImplementationInstance, sink)))
        {
            Services.AddSingleton(sink);
        }

        return this;
    }

    /// <summary>
    /// Adds an audit sink created from the container when the orchestrator is first resolved (the container owns it and
    /// disposes it), such as <c>sp =&gt; new JsonLinesAuditSink(new JsonLinesAuditSinkOptions { Path = "audit.jsonl" })</c>.
    /// Sinks registered as <see cref="IAuditSink"/> in the container directly are added too.
    /// </summary>
    /// <param name="factory">Creates the sink.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddAuditSink(Func<IServiceProvider, IAuditSink> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.AddSingleton(factory);
        return this;
    }

    /// <summary>Uses an actor directory for approvals and operator actions. Default: an empty in-memory directory.</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseActorDirectory(IActorDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Services.Replace(ServiceDescriptor.Singleton(directory));
        return this;
    }

    /// <summary>Uses an actor directory created from the container.</summary>
    /// <param name="factory">Creates the directory.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseActorDirectory(Func<IServiceProvider, IActorDirectory> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
        return this;
    }

    /// <summary>
    /// Configures the orchestrator options (parallelism, queue capacity, retry policy, node id…). Runs after the
    /// builder's own composition, so it may also override the store, adapters or clock.
    /// </summary>
    /// <param name="configure">Configures the options.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder Configure(Action<OrchestratorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }
}
