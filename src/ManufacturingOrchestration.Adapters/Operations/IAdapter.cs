namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// An adapter: the component that carries out some operations of one target system (an ERP, a WMS, a LIMS of your
/// own). It says what it supports by the handler interfaces it implements — <see cref="ICommandHandler{TCommand}"/>
/// for each command, <see cref="IQueryHandler{TQuery, TResult}"/> for each query — and nothing else: a connector
/// implements only what its system offers, and the orchestrator checks at start-up that every operation a
/// registered workflow needs has an adapter (see docs/adapters.md).
/// </summary>
public interface IAdapter
{
}

/// <summary>
/// Carries out one command on its target system. The orchestrator calls it from its outbox, with the command's
/// idempotency key in <see cref="AdapterCommand.Context"/>: the same key must take effect at most once.
/// </summary>
/// <typeparam name="TCommand">The command type, registered in the <see cref="OperationRegistry"/>.</typeparam>
public interface ICommandHandler<in TCommand> : IAdapter
    where TCommand : AdapterCommand
{
    /// <summary>Executes the command.</summary>
    /// <param name="command">The command.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The outcome. Business refusals are <see cref="AdapterResult.Permanent(Model.ReasonCode, string)"/> results, not
    /// exceptions; an exception is classified by <see cref="AdapterFailures.Classify"/>.
    /// </returns>
    ValueTask<AdapterResult> ExecuteAsync(TCommand command, CancellationToken cancellationToken = default);
}

/// <summary>Answers one read-only query of its target system.</summary>
/// <typeparam name="TQuery">The query type, registered in the <see cref="OperationRegistry"/>.</typeparam>
/// <typeparam name="TResult">What the query returns.</typeparam>
public interface IQueryHandler<in TQuery, TResult> : IAdapter
    where TQuery : AdapterQuery<TResult>
{
    /// <summary>Answers the query.</summary>
    /// <param name="query">The query.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>
    /// The answer; by convention <see langword="null"/> or an empty list for an unknown key. A failure is an
    /// exception, classified by <see cref="AdapterFailures.Classify"/>.
    /// </returns>
    ValueTask<TResult> QueryAsync(TQuery query, CancellationToken cancellationToken = default);
}

/// <summary>
/// Implemented by an adapter whose support is decided by configuration rather than by the handler interfaces alone —
/// an HTTP connector that implements every ERP operation but has endpoints for only some — so the start-up check and
/// the routing see what it really supports.
/// </summary>
public interface IOperationSupport
{
    /// <summary>Whether the adapter carries out the operation.</summary>
    /// <param name="operation">The operation: a command or query kind, such as <c>erp.get-material</c>.</param>
    /// <returns><see langword="true"/> when the adapter supports it (its handler interface is implemented as well).</returns>
    bool Supports(string operation);
}
