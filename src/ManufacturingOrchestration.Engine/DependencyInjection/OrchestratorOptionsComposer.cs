using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ManufacturingOrchestration.Engine.DependencyInjection;

/// <summary>What the composer saw, so the validator can tell "not configured" from "configured".</summary>
internal sealed class CompositionState
{
    public IOrchestrationStore? DefaultStore { get; set; }

    public List<string> Problems { get; } = [];
}

/// <summary>
/// Fills <see cref="OrchestratorOptions"/> from the container, the builder and the registered (validated)
/// <see cref="OrchestratorSettings"/>; user configuration runs after it.
/// </summary>
internal sealed class OrchestratorOptionsComposer : IConfigureOptions<OrchestratorOptions>
{
    private readonly IServiceProvider _services;
    private readonly CompositionState _state;

    public OrchestratorOptionsComposer(IServiceProvider services, CompositionState state)
    {
        _services = services;
        _state = state;
    }

    public void Configure(OrchestratorOptions options)
    {
        _state.Problems.Clear();

        // First, so that settings out of range are refused before a store is opened. A copy: the options are composed
        // more than once (at start validation, then for the orchestrator), and a Configure(o => o.Settings...) of the
        // builder must change the orchestrator's settings, not the registered ones.
        options.Settings = _services.GetRequiredService<IOptions<OrchestratorSettings>>().Value.Clone();
        var builder = _services.GetRequiredService<ManufacturingOrchestrationBuilder>();
        var store = _services.GetService<IOrchestrationStore>();
        if (store is null)
        {
            _state.DefaultStore = options.Store;
        }
        else
        {
            options.Store = store;
        }

        options.Adapters = ComposeAdapters(builder);
        options.TimeProvider = _services.GetRequiredService<TimeProvider>();
        options.Actors = _services.GetRequiredService<IActorDirectory>();
        options.LoggerFactory ??= _services.GetService<ILoggerFactory>();
        options.AuditCheckpointSigner ??= _services.GetService<IAuditCheckpointSigner>();

        var sinks = new HashSet<IAuditSink>(ReferenceEqualityComparer.Instance);
        foreach (var sink in _services.GetServices<IAuditSink>())
        {
            if (sink is null)
            {
                _state.Problems.Add("An audit sink factory returned null.");
            }
            else if (sinks.Add(sink))
            {
                options.AuditSinks.Add(sink);
            }
        }

        var seen = new Dictionary<string, WorkflowDefinition>(StringComparer.Ordinal);
        foreach (var factory in builder.WorkflowFactories)
        {
            var workflow = factory(_services);
            if (workflow is null)
            {
                _state.Problems.Add("A workflow factory returned null.");
                continue;
            }

            if (seen.TryGetValue(workflow.Id, out var earlier) && earlier.Fingerprint == workflow.Fingerprint)
            {
                continue;
            }

            seen.TryAdd(workflow.Id, workflow);
            options.Workflows.Add(workflow);
        }
    }

    private AdapterSet ComposeAdapters(ManufacturingOrchestrationBuilder builder)
    {
        var set = builder.AdapterSetFactory?.Invoke(_services) ?? _services.GetService<AdapterSet>() ?? new AdapterSet();
        foreach (var register in builder.OperationAdditions)
        {
            register(set.Operations);
        }

        foreach (var add in builder.AdapterAdditions)
        {
            add(_services, set);
        }

        // A handler registered in the container as ICommandHandler<T> / IQueryHandler<TQuery, TResult> takes over its
        // operation for every site, built-in or user-defined alike.
        foreach (var operation in set.Operations.Operations)
        {
            if (_services.GetService(operation.HandlerType) is IAdapter handler)
            {
                set.Handle(operation.Kind, handler);
            }
        }

        return set;
    }
}

/// <summary>Validates the composed options, naming every problem and what to call to fix it.</summary>
internal sealed class OrchestratorOptionsValidator : IValidateOptions<OrchestratorOptions>
{
    private readonly CompositionState _state;

    public OrchestratorOptionsValidator(CompositionState state)
    {
        _state = state;
    }

    public ValidateOptionsResult Validate(string? name, OrchestratorOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>(_state.Problems);
        if (options.Store is null || ReferenceEquals(options.Store, _state.DefaultStore))
        {
            failures.Add("No store is configured: call UseStore(...) (or a store package's extension such as UseSqlite) for production, or UseInMemoryStore() for tests and demos.");
        }

        if (options.Adapters is null || options.Adapters.IsEmpty)
        {
            failures.Add("No adapters are configured: call AddAdapter(system, adapter) for each target system (or UseAdapters(...)), or register command and query handlers in the container.");
        }

        if (options.Workflows.Count == 0)
        {
            failures.Add("No workflow is registered: call AddWorkflow(...), or add a shipped scenario (AddIncomingInspection() and the others of the Scenarios package).");
        }

        // The registered settings were validated when read; these are them after Configure(o => o.Settings...).
        failures.AddRange(options.Settings?.Problems() ?? []);
        if (failures.Count == 0)
        {
            try
            {
                options.Validate();
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{nameof(OrchestratorOptions)}: {ex.Message}");
            }
            catch (ManufacturingOrchestration.Model.ManufacturingOrchestrationException ex)
            {
                failures.Add($"{nameof(OrchestratorOptions)}: {ex.Message}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Refuses a configuration that names settings the binder cannot read (their keys or items are typed values), rather than
/// letting the binder skip them silently: a two-person rule written in <c>appsettings.json</c> and not applied would be
/// worse than a start refused.
/// </summary>
internal sealed class CodeOnlySettingsCheck : IValidateOptions<OrchestratorSettings>
{
    private static readonly string[] CodeOnly =
    [
        $"{nameof(OrchestratorSettings.Approvals)}:{nameof(ApprovalOptions.SiteDeadlines)}",
        $"{nameof(OrchestratorSettings.Approvals)}:{nameof(ApprovalOptions.SiteStepDeadlines)}",
        $"{nameof(OrchestratorSettings.Approvals)}:{nameof(ApprovalOptions.TwoPersonSites)}",
        $"{nameof(OrchestratorSettings.Approvals)}:{nameof(ApprovalOptions.Escalations)}",
    ];

    private readonly IConfiguration _configuration;

    public CodeOnlySettingsCheck(IConfiguration configuration)
    {
        _configuration = configuration;
    }

    public ValidateOptionsResult Validate(string? name, OrchestratorSettings options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        foreach (var key in CodeOnly)
        {
            var section = _configuration.GetSection(key);
            if (section.Exists())
            {
                failures.Add($"{section.Path} cannot be read from configuration (its keys or items are typed values): set it in code, with Configure(o => o.Settings.{key.Replace(':', '.')}...).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
