using ManufacturingOrchestration.Model;
using Stateless;
using Stateless.Reflection;

namespace ManufacturingOrchestration.StateMachines;

/// <summary>A guard of a transition: a check on the call's context, and the reason code returned when it fails.</summary>
/// <typeparam name="TContext">What the guard reads.</typeparam>
/// <param name="Check">The check; it must not change anything.</param>
/// <param name="Reason">The reason code of a refusal by this guard (also its description in the diagrams).</param>
internal readonly record struct TransitionGuard<TContext>(Func<TContext, bool> Check, ReasonCode Reason);

/// <summary>
/// One machine's transitions, written once with a Stateless-like fluent definition and used two ways: fired directly
/// from an immutable lookup (no per-call allocation, no locking, safe from any number of threads), and configured onto
/// a Stateless <see cref="StateMachine{TState, TTrigger}"/> for <see cref="StateMachineInfo"/> (diagrams, reflection).
/// </summary>
/// <remarks>
/// Firing follows Stateless's semantics for the subset the definition allows: at most one transition per state and
/// trigger; a transition is taken when all its guards hold; a fixed transition goes to its destination, an internal one
/// stays, a dynamic one goes where its selector says. A trigger with no transition in the state is refused with the
/// machine's reason for that state and trigger; a transition whose guard fails is refused with the first failing
/// guard's reason code (guards in declaration order).
/// </remarks>
internal sealed class TransitionTable<TState, TTrigger, TContext>
    where TState : struct, Enum
    where TTrigger : struct, Enum
    where TContext : class
{
    private readonly Dictionary<(TState State, TTrigger Trigger), Transition> _lookup = [];
    private readonly List<Transition> _transitions = [];
    private readonly List<TState> _configured = [];
    private readonly Func<TState, TTrigger, ReasonCode> _reasonWhenNotPermitted;

    /// <summary>Builds the table.</summary>
    /// <param name="define">Writes the transitions, state by state.</param>
    /// <param name="reasonWhenNotPermitted">The reason code of a trigger that has no transition in a state.</param>
    public TransitionTable(Action<TransitionTable<TState, TTrigger, TContext>> define, Func<TState, TTrigger, ReasonCode> reasonWhenNotPermitted)
    {
        _reasonWhenNotPermitted = reasonWhenNotPermitted;
        define(this);
    }

    /// <summary>Every transition, state by state in configuration order.</summary>
    public IReadOnlyList<Transition> Transitions => _transitions;

    /// <summary>Starts (or continues) the definition of a state.</summary>
    /// <param name="state">The state.</param>
    /// <returns>The state's definition.</returns>
    public StateDefinition Configure(TState state)
    {
        if (!_configured.Contains(state))
        {
            _configured.Add(state);
        }

        return new StateDefinition(this, state);
    }

    /// <summary>Fires <paramref name="trigger"/> from <paramref name="state"/> with <paramref name="context"/> visible to guards and selectors.</summary>
    /// <param name="state">The current state.</param>
    /// <param name="trigger">The trigger.</param>
    /// <param name="context">What guards and selectors read.</param>
    /// <returns>The new state, or a rejection.</returns>
    public Outcome Fire(TState state, TTrigger trigger, TContext context)
    {
        if (!_lookup.TryGetValue((state, trigger), out var transition))
        {
            return Reject(state, trigger, _reasonWhenNotPermitted(state, trigger), context);
        }

        if (transition.FirstUnmetGuard(context) is { } unmet)
        {
            return Reject(state, trigger, unmet.Reason, context);
        }

        return new Outcome(transition.Kind switch
        {
            TransitionKind.Internal => state,
            TransitionKind.Dynamic => transition.Select!(context),
            _ => transition.Destination,
        }, null);
    }

    /// <summary>Describes the machine (states, triggers, guards, dynamic destinations) through Stateless.</summary>
    /// <param name="initialState">The state the description starts from.</param>
    /// <returns>The description.</returns>
    public StateMachineInfo GetInfo(TState initialState)
    {
        // Only described, never fired: guards and selectors are not called by GetInfo.
        var machine = new StateMachine<TState, TTrigger>(initialState);
        foreach (var state in _configured)
        {
            machine.Configure(state);
        }

        foreach (var transition in _transitions)
        {
            var guards = transition.Guards.Select(g => Tuple.Create<Func<bool>, string>(NotEvaluated, g.Reason.Code)).ToArray();
            var configuration = machine.Configure(transition.From);
            switch (transition.Kind)
            {
                case TransitionKind.Fixed when guards.Length == 0:
                    configuration.Permit(transition.Trigger, transition.Destination);
                    break;
                case TransitionKind.Fixed:
                    configuration.PermitIf(transition.Trigger, transition.Destination, guards);
                    break;
                case TransitionKind.Internal when guards.Length == 0:
                    configuration.InternalTransition(transition.Trigger, static () => { });
                    break;
                case TransitionKind.Internal:
                    // Stateless takes one guard description for an internal transition: the reason codes, comma-separated.
                    configuration.InternalTransitionIf(transition.Trigger, _ => NotEvaluated(), static () => { }, string.Join(", ", guards.Select(g => g.Item2)));
                    break;
                case TransitionKind.Dynamic when guards.Length == 0:
                    configuration.PermitDynamic(transition.Trigger, NotEvaluatedState, transition.SelectDescription, transition.Destinations);
                    break;
                default:
                    configuration.PermitDynamicIf(transition.Trigger, NotEvaluatedState, transition.SelectDescription, transition.Destinations, guards);
                    break;
            }
        }

        return machine.GetInfo();
    }

    private static bool NotEvaluated() => throw new InvalidOperationException("The Stateless machine describes the table; it is never fired.");

    private static TState NotEvaluatedState() => throw new InvalidOperationException("The Stateless machine describes the table; it is never fired.");

    private Outcome Reject(TState state, TTrigger trigger, ReasonCode reason, TContext context)
    {
        var permitted = new List<string>();
        foreach (var candidate in _transitions)
        {
            if (EqualityComparer<TState>.Default.Equals(candidate.From, state) && candidate.FirstUnmetGuard(context) is null)
            {
                permitted.Add(candidate.Trigger.ToString());
            }
        }

        return new Outcome(state, new TransitionRejection(reason, $"{trigger} is not permitted in state {state}: {reason.Description}", state.ToString(), trigger.ToString(), permitted));
    }

    private void Add(Transition transition)
    {
        if (!_lookup.TryAdd((transition.From, transition.Trigger), transition))
        {
            throw new InvalidOperationException($"{transition.From} has two transitions for {transition.Trigger}.");
        }

        _transitions.Add(transition);
    }

    /// <summary>The result of one firing.</summary>
    /// <param name="State">The new state (the current one when rejected).</param>
    /// <param name="Rejection">Why the trigger was refused, or <see langword="null"/>.</param>
    internal readonly record struct Outcome(TState State, TransitionRejection? Rejection);

    /// <summary>What a transition does with the state.</summary>
    internal enum TransitionKind
    {
        /// <summary>Goes to a fixed destination.</summary>
        Fixed,

        /// <summary>Stays in the state (the object changes, the state does not).</summary>
        Internal,

        /// <summary>Goes to the state a selector computes from the context.</summary>
        Dynamic,
    }

    /// <summary>One transition of the table.</summary>
    internal sealed class Transition
    {
        public required TState From { get; init; }

        public required TTrigger Trigger { get; init; }

        public required TransitionKind Kind { get; init; }

        public TState Destination { get; init; }

        public Func<TContext, TState>? Select { get; init; }

        public string? SelectDescription { get; init; }

        public DynamicStateInfos? Destinations { get; init; }

        public TransitionGuard<TContext>[] Guards { get; init; } = [];

        /// <summary>Every state this transition can lead to.</summary>
        public IEnumerable<TState> PossibleDestinations => Kind switch
        {
            TransitionKind.Internal => [From],
            TransitionKind.Dynamic => Destinations!.Select(d => Enum.Parse<TState>(d.DestinationState)),
            _ => [Destination],
        };

        public TransitionGuard<TContext>? FirstUnmetGuard(TContext context)
        {
            foreach (var guard in Guards)
            {
                if (!guard.Check(context))
                {
                    return guard;
                }
            }

            return null;
        }
    }

    /// <summary>The transitions out of one state, written fluently in the order Stateless would be configured.</summary>
    internal readonly struct StateDefinition
    {
        private readonly TransitionTable<TState, TTrigger, TContext> _table;
        private readonly TState _state;

        public StateDefinition(TransitionTable<TState, TTrigger, TContext> table, TState state)
        {
            _table = table;
            _state = state;
        }

        public StateDefinition Permit(TTrigger trigger, TState destination) => PermitIf(trigger, destination);

        public StateDefinition PermitIf(TTrigger trigger, TState destination, params TransitionGuard<TContext>[] guards) =>
            Add(new Transition { From = _state, Trigger = trigger, Kind = TransitionKind.Fixed, Destination = destination, Guards = guards });

        public StateDefinition InternalTransition(TTrigger trigger) =>
            Add(new Transition { From = _state, Trigger = trigger, Kind = TransitionKind.Internal });

        public StateDefinition InternalTransitionIf(TTrigger trigger, params TransitionGuard<TContext>[] guards) =>
            Add(new Transition { From = _state, Trigger = trigger, Kind = TransitionKind.Internal, Guards = guards });

        public StateDefinition PermitDynamic(TTrigger trigger, Func<TContext, TState> select, string description, DynamicStateInfos destinations) =>
            PermitDynamicIf(trigger, select, description, destinations);

        public StateDefinition PermitDynamicIf(TTrigger trigger, Func<TContext, TState> select, string description, DynamicStateInfos destinations, params TransitionGuard<TContext>[] guards) =>
            Add(new Transition
            {
                From = _state,
                Trigger = trigger,
                Kind = TransitionKind.Dynamic,
                Select = select,
                SelectDescription = description,
                Destinations = destinations,
                Guards = guards,
            });

        private StateDefinition Add(Transition transition)
        {
            _table.Add(transition);
            return this;
        }
    }
}
