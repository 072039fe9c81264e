namespace ManufacturingOrchestration.Adapters;

/// <summary>
/// The base of every read-only adapter query: a record naming what is asked, answered by an
/// <see cref="IQueryHandler{TQuery, TResult}"/>. Its kind (such as <c>erp.get-lot</c>) is the name it is registered
/// under in the <see cref="OperationRegistry"/>; queries carry no idempotency key and are never kept in the outbox.
/// </summary>
/// <typeparam name="TResult">What the query returns.</typeparam>
public abstract record AdapterQuery<TResult>;
