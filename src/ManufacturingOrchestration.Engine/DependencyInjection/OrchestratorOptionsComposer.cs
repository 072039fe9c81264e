using ManufacturingOrchestration.Adapters;
using ManufacturingOrchestration.Engine.Approvals;
using ManufacturingOrchestration.Engine.Audit;
using ManufacturingOrchestration.Engine.Execution;
using ManufacturingOrchestration.Engine.Storage;
using ManufacturingOrchestration.Engine.Workflows;
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

/// <summary>Fills <see cref="OrchestratorOptions"/> from the container and the builder; user configuration runs after it.</summary>
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
        else
        {
            failures.AddRange(options.RangeProblems().Select(p => $"{p.Option} {p.Problem}"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
