using System.Text.Json.Serialization.Metadata;
using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Model;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Engine.DependencyInjection;

/// <summary>
/// Composes the orchestrator registered by <c>services.AddManufacturingOrchestration(...)</c>: the store, the adapters,
/// the workflows, the actor directory and the options. Every method returns the builder. Other packages add their own
/// composition as extension methods (the shipped scenarios: <c>AddIncomingInspection()</c>, <c>AddSite(...)</c>,
/// <c>UseRules(...)</c>…).
/// </summary>
/// <remarks>
/// <para>Nothing is resolved while composing: factories run when the orchestrator is first resolved, and the result is
/// validated then (and at host start through <c>ValidateOnStart</c>): settings out of range first, naming each setting
/// and its range, then one error that names every problem of the composition.</para>
/// <para>Services come from here and the container; the plain settings (<see cref="OrchestratorSettings"/>) from
/// configuration through <see cref="BindSettings"/>, or from code through <see cref="Configure(Action{OrchestratorOptions})"/>.</para>
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

    /// <summary>The adapters added one by one, applied in order over the set.</summary>
    internal List<Action<IServiceProvider, AdapterSet>> AdapterAdditions { get; } = [];

    /// <summary>The user operations, registered in order in the set's registry.</summary>
    internal List<Action<OperationRegistry>> OperationAdditions { get; } = [];

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

    /// <summary>
    /// Uses an <see cref="InMemoryOrchestrationStore"/> with the default <see cref="InMemoryStoreOptions"/> on the
    /// container's <see cref="TimeProvider"/>: for tests and demos only, since nothing survives a restart.
    /// </summary>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseInMemoryStore() => UseInMemoryStore(static _ => { });

    /// <summary>
    /// Uses an <see cref="InMemoryOrchestrationStore"/> on the container's <see cref="TimeProvider"/>, its settings
    /// (the retention window and how often it is pruned) adjusted: for tests, demos and benchmarks.
    /// </summary>
    /// <param name="configure">Adjusts the store settings.</param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// A setting out of range refuses the start (or the first resolution of the orchestrator) with an
    /// <see cref="OptionsValidationException"/> naming the setting and its range.
    /// </remarks>
    public ManufacturingOrchestrationBuilder UseInMemoryStore(Action<InMemoryStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return UseStore(services =>
        {
            var options = new InMemoryStoreOptions();
            configure(options);
            if (options.Problems() is { Count: > 0 } problems)
            {
                throw new OptionsValidationException(Options.DefaultName, typeof(InMemoryStoreOptions), problems);
            }

            return new InMemoryOrchestrationStore(options, services.GetService<TimeProvider>());
        });
    }

    /// <summary>Uses a set of adapters (its operation registry included); adapters added with <c>AddAdapter</c> are added to it.</summary>
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

    /// <summary>Adds the default adapter of a target system (the one every site uses unless it has its own), replacing an earlier one.</summary>
    /// <param name="system">The target system, such as <see cref="CommandKinds.ErpSystem"/> or <c>lims</c>.</param>
    /// <param name="adapter">The adapter: it implements the handler interfaces of the operations it supports.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddAdapter(string system, IAdapter adapter)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        return AddAdapter(system, _ => adapter);
    }

    /// <summary>Adds the default adapter of a target system, created from the container.</summary>
    /// <param name="system">The target system.</param>
    /// <param name="factory">Creates the adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddAdapter(string system, Func<IServiceProvider, IAdapter> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(system);
        ArgumentNullException.ThrowIfNull(factory);
        AdapterAdditions.Add((services, set) => set.Add(system, factory(services)));
        return this;
    }

    /// <summary>Adds the adapter of a target system for some sites (plants with their own instance, such as a second ERP for another region): their commands and queries go to it.</summary>
    /// <param name="system">The target system.</param>
    /// <param name="sites">The sites it serves.</param>
    /// <param name="factory">Creates the adapter.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddAdapter(string system, IEnumerable<SiteId> sites, Func<IServiceProvider, IAdapter> factory)
    {
        ArgumentException.ThrowIfNullOrEmpty(system);
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(factory);
        var list = sites.ToArray();
        AdapterAdditions.Add((services, set) => set.Add(system, factory(services), list));
        return this;
    }

    /// <summary>
    /// Registers a command type of your own, so steps can plan it and it gets the outbox, the idempotency key, durable
    /// retries, dead letters, replay, skip, compensation and audit like a built-in command. Carry it out with an adapter
    /// of its system (<see cref="AddAdapter(string, IAdapter)"/>) or a handler registered in the container as
    /// <see cref="ICommandHandler{TCommand}"/>.
    /// </summary>
    /// <typeparam name="TCommand">The command type.</typeparam>
    /// <param name="kind">Its stable kind, <c>&lt;system&gt;.&lt;verb-object&gt;</c>, such as <c>lims.record-sample</c>.</param>
    /// <param name="typeInfo">Its JSON contract, from your source-generated context.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddCommand<TCommand>(string kind, JsonTypeInfo<TCommand> typeInfo)
        where TCommand : AdapterCommand
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(typeInfo);
        OperationAdditions.Add(registry => registry.AddCommand(kind, typeInfo));
        return this;
    }

    /// <summary>Registers a query type of your own, so steps can ask it through <see cref="StepContext.QueryAsync{TResult}"/> under the same failure policy as the built-in ones.</summary>
    /// <typeparam name="TQuery">The query type.</typeparam>
    /// <typeparam name="TResult">What it returns.</typeparam>
    /// <param name="kind">Its stable kind, such as <c>lims.get-sample</c>.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder AddQuery<TQuery, TResult>(string kind)
        where TQuery : AdapterQuery<TResult>
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        OperationAdditions.Add(registry => registry.AddQuery<TQuery, TResult>(kind));
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

    /// <summary>
    /// Signs audit checkpoints with HMAC-SHA256 under a key the host supplies, such as one read from a secret store or
    /// from configuration filled by one: <c>UseAuditCheckpointKey(sp =&gt; Convert.FromBase64String(
    /// sp.GetRequiredService&lt;IConfiguration&gt;()["ManufacturingOrchestration:AuditCheckpointKey"]!))</c>. The key is
    /// read once, when the orchestrator is composed, and never written to the store (see
    /// <see cref="OrchestratorOptions.AuditCheckpointSigner"/>).
    /// </summary>
    /// <param name="keyFactory">Returns the key, at least <see cref="HmacAuditCheckpointSigner.MinimumKeyLength"/> bytes.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseAuditCheckpointKey(Func<IServiceProvider, byte[]> keyFactory)
    {
        ArgumentNullException.ThrowIfNull(keyFactory);
        return UseAuditCheckpointSigner(sp => new HmacAuditCheckpointSigner(keyFactory(sp)));
    }

    /// <summary>Signs audit checkpoints with a signer created from the container (a key vault or HSM client, for example).</summary>
    /// <param name="factory">Creates the signer.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseAuditCheckpointSigner(Func<IServiceProvider, IAuditCheckpointSigner> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Services.Replace(ServiceDescriptor.Singleton(factory));
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
    /// Binds the orchestrator's <see cref="OrchestratorSettings"/> (parallelism, queue capacity, retry policy, node id…)
    /// from a configuration section, such as <c>builder.Configuration.GetSection("ManufacturingOrchestration")</c>.
    /// Keys the section does not name keep their defaults; keys of other packages in the same section (<c>Sqlite</c>,
    /// <c>Hosting</c>…) are ignored here. The settings are validated when the orchestrator is created, in a host at start:
    /// a value out of range refuses the start with an <see cref="OptionsValidationException"/> that names the setting and
    /// its range, and so does a key the binder cannot read (the site-keyed approval settings and the escalation chain,
    /// set in code).
    /// </summary>
    /// <remarks>
    /// The same as <c>Services.AddOptions&lt;OrchestratorSettings&gt;().Bind(configuration)</c> plus that check; later
    /// <see cref="Configure(Action{OrchestratorOptions})"/> calls still apply on top of the bound values.
    /// </remarks>
    /// <param name="configuration">The section holding the settings.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder BindSettings(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        Services.AddOptions<OrchestratorSettings>().Bind(configuration);
        Services.AddSingleton<IValidateOptions<OrchestratorSettings>>(new CodeOnlySettingsCheck(configuration));
        return this;
    }

    /// <summary>
    /// Makes this orchestrator one node of several sharing the store (<see cref="OrchestratorSettings.Cluster"/>): it works
    /// only on the buckets of partition keys whose lease it holds and fences its commits by them. The store must be one
    /// that several processes share (PostgreSQL); every node needs its own <see cref="OrchestratorSettings.NodeId"/>.
    /// </summary>
    /// <remarks>Applied over the settings bound with <see cref="BindSettings"/>; calling it twice applies both configurations.</remarks>
    /// <param name="configure">Sets the lease duration, bucket count or poll interval; the defaults otherwise.</param>
    /// <returns>This builder.</returns>
    public ManufacturingOrchestrationBuilder UseClustering(Action<ClusterOptions>? configure = null)
    {
        Services.Configure<OrchestratorSettings>(settings =>
        {
            settings.Cluster.Enabled = true;
            configure?.Invoke(settings.Cluster);
        });
        return this;
    }

    /// <summary>
    /// Configures the orchestrator options: its <see cref="OrchestratorOptions.Settings"/> (parallelism, queue capacity,
    /// retry policy, node id…) and its services. Runs after the builder's own composition and after the settings bound
    /// with <see cref="BindSettings"/>, so it may override either, the store, adapters or clock included.
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
