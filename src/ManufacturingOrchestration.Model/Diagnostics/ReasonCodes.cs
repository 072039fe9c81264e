using System.Collections.Frozen;

namespace ManufacturingOrchestration.Model;

/// <summary>
/// The shared catalogue of reason and exception codes. Every refusal, rejection and business alert
/// names one of these, so analytics and operators see the same code for the same cause in every plant.
/// Codes are stable: they are never renamed or reused; new codes are added.
/// </summary>
public static class ReasonCodes
{
    // ---- Payload and envelope validation -------------------------------------------------------

    /// <summary>A required attribute or member is missing.</summary>
    public static readonly ReasonCode Required = new("payload.required", "A required attribute or member is missing.");

    /// <summary>The JSON is not well formed.</summary>
    public static readonly ReasonCode MalformedJson = new("payload.malformed-json", "The JSON is not well formed.");

    /// <summary>A member has the wrong JSON type or format.</summary>
    public static readonly ReasonCode WrongType = new("payload.wrong-type", "A member has the wrong JSON type or an unreadable format.");

    /// <summary>The event type is not registered.</summary>
    public static readonly ReasonCode UnknownEventType = new("payload.unknown-event-type", "The event type is not registered with this orchestrator.");

    /// <summary>The CloudEvents spec version is not 1.0.</summary>
    public static readonly ReasonCode UnsupportedSpecVersion = new("payload.unsupported-specversion", "Only CloudEvents specversion 1.0 is supported.");

    /// <summary>A quantity is zero or negative where a positive one is required.</summary>
    public static readonly ReasonCode NonPositiveQuantity = new("payload.non-positive-quantity", "A quantity must be greater than zero.");

    /// <summary>A quantity is negative.</summary>
    public static readonly ReasonCode NegativeQuantity = new("payload.negative-quantity", "A quantity must not be negative.");

    /// <summary>A unit of measure is missing or not valid.</summary>
    public static readonly ReasonCode InvalidUnit = new("payload.invalid-unit", "The unit of measure is missing or not valid.");

    /// <summary>Two quantities with different units were combined.</summary>
    public static readonly ReasonCode UnitMismatch = new("payload.unit-mismatch", "Quantities with different units of measure cannot be combined.");

    /// <summary>An identifier is empty, too long or contains characters that are not allowed.</summary>
    public static readonly ReasonCode InvalidIdentifier = new("payload.invalid-identifier", "An identifier is empty, too long or contains characters that are not allowed.");

    /// <summary>A value is outside its allowed range or set.</summary>
    public static readonly ReasonCode OutOfRange = new("payload.out-of-range", "A value is outside its allowed range or set of values.");

    /// <summary>The payload is larger than the configured limit.</summary>
    public static readonly ReasonCode PayloadTooLarge = new("payload.too-large", "The event is larger than the configured size limit.");

    /// <summary>The payload version is older than supported and no upcaster is registered.</summary>
    public static readonly ReasonCode NoUpcaster = new("payload.no-upcaster", "No upcaster is registered from this payload version to the current one.");

    /// <summary>An upcaster failed or returned nothing.</summary>
    public static readonly ReasonCode UpcastFailed = new("payload.upcast-failed", "An upcaster failed to convert the payload to the current version.");

    /// <summary>The envelope's type does not match its payload.</summary>
    public static readonly ReasonCode EventTypeMismatch = new("payload.type-mismatch", "The envelope's event type does not match the type of its payload.");

    /// <summary>Text is not well-formed Unicode: an unpaired surrogate (also as a <c>\\uD800</c> JSON escape) or invalid UTF-8.</summary>
    public static readonly ReasonCode InvalidEncoding = new("payload.invalid-encoding", "Text is not well-formed Unicode: it has an unpaired surrogate or invalid UTF-8.");

    /// <summary>JSON, or a typed event's JSON values, nest deeper than the depth limit.</summary>
    public static readonly ReasonCode TooDeep = new("payload.too-deep", "The event nests deeper than the depth limit.");

    /// <summary>Free text is blank, too long or contains characters that are not allowed.</summary>
    public static readonly ReasonCode InvalidText = new("payload.invalid-text", "Free text is blank, too long or contains control or format characters that are not allowed.");

    /// <summary>An event type or upcaster was registered twice, or an upcaster chain is broken or circular.</summary>
    public static readonly ReasonCode EventTypeConflict = new("event.type-conflict", "The event type or upcaster is already registered, or an upcaster chain does not end at a registered payload type.");

    // ---- Lot and stock ---------------------------------------------------------------------------

    /// <summary>Consumption, goods issue or transfer out is only allowed from unrestricted own stock.</summary>
    public static readonly ReasonCode WithdrawalNotUnrestricted = new("lot.withdrawal-not-unrestricted", "Consumption, goods issue and transfer out are only allowed from unrestricted own stock.");

    /// <summary>Only a sample, scrap or a count difference may leave quality-inspection or blocked stock.</summary>
    public static readonly ReasonCode CategoryDoesNotAllowMovement = new("lot.category-does-not-allow-movement", "Only a sample, scrap or a count difference may leave quality-inspection or blocked stock.");

    /// <summary>The stock-category transfer is not one that real ERP systems allow.</summary>
    public static readonly ReasonCode TransferNotPermitted = new("lot.transfer-not-permitted", "This stock-category transfer is not permitted.");

    /// <summary>The lot does not hold enough quantity in the source bucket.</summary>
    public static readonly ReasonCode InsufficientQuantity = new("lot.insufficient-quantity", "The lot does not hold enough quantity in the source bucket.");

    /// <summary>A restricted batch released from quality inspection lands in restricted-use stock.</summary>
    public static readonly ReasonCode RestrictedBatch = new("lot.restricted-batch", "A restricted batch can only be released to restricted-use stock.");

    /// <summary>In-transit stock is not usable until goods receipt at the receiving plant.</summary>
    public static readonly ReasonCode InTransitNotUsable = new("lot.in-transit-not-usable", "Stock in transit is not usable until goods receipt.");

    /// <summary>Stock in transfer between plants (SAP 303) is not usable until it is placed into stock at the receiving plant (305).</summary>
    public static readonly ReasonCode InTransferNotUsable = new("lot.in-transfer-not-usable", "Stock in transfer is not usable until it is placed into stock at the receiving plant.");

    /// <summary>Quality-inspection stock managed by an inspection lot leaves inspection only through that lot's usage decision.</summary>
    public static readonly ReasonCode UsageDecisionRequired = new("lot.usage-decision-required", "Quality-inspection stock managed by an inspection lot leaves inspection only through that lot's usage decision.");

    /// <summary>The posting does not carry out the usage decision recorded on the inspection lot.</summary>
    public static readonly ReasonCode UsageDecisionConflict = new("lot.usage-decision-conflict", "The posting does not carry out the usage decision recorded on the inspection lot.");

    /// <summary>A usage decision is recorded but its stock posting is pending: the stock is still in quality inspection and not released.</summary>
    public static readonly ReasonCode UsageDecisionPostingPending = new("lot.usage-decision-posting-pending", "A usage decision is recorded but its stock posting is pending: the stock is not released yet.");

    /// <summary>The inspection lot is not open on the lot.</summary>
    public static readonly ReasonCode InspectionLotUnknown = new("lot.inspection-lot-unknown", "The inspection lot is not open on this lot.");

    /// <summary>Consignment stock must change ownership before it is consumed.</summary>
    public static readonly ReasonCode ConsignmentNotOwned = new("lot.consignment-not-owned", "Consignment stock must change ownership before it is consumed.");

    /// <summary>A reworked lot needs a new passing inspection before release.</summary>
    public static readonly ReasonCode ReinspectionRequired = new("lot.reinspection-required", "A reworked lot needs a new passing inspection before release.");

    /// <summary>The lot is past its expiry date.</summary>
    public static readonly ReasonCode LotExpired = new("lot.expired", "The lot is past its expiry date.");

    /// <summary>Scrapped quantity is never usable again except by an explicit reversal.</summary>
    public static readonly ReasonCode LotScrapped = new("lot.scrapped", "Scrapped quantity is never usable again except by an explicit reversal.");

    /// <summary>The lot is on hold.</summary>
    public static readonly ReasonCode LotOnHold = new("lot.on-hold", "The lot is on hold.");

    /// <summary>The lot is not known.</summary>
    public static readonly ReasonCode LotUnknown = new("lot.unknown", "The lot is not known to the system asked.");

    /// <summary>A reversal does not match a movement that can be reversed.</summary>
    public static readonly ReasonCode ReversalInvalid = new("lot.reversal-invalid", "The reversal does not match a movement that can be reversed.");

    // ---- Production orders -----------------------------------------------------------------------

    /// <summary>A created order accepts no goods movement or confirmation until released.</summary>
    public static readonly ReasonCode OrderNotReleased = new("order.not-released", "A created order accepts no goods movements or confirmations until it is released.");

    /// <summary>A closed order rejects postings.</summary>
    public static readonly ReasonCode OrderClosed = new("order.closed", "A closed order rejects confirmations and goods movements.");

    /// <summary>A technically completed order can no longer be changed (late postings are accepted).</summary>
    public static readonly ReasonCode OrderTechnicallyCompleted = new("order.technically-completed", "A technically completed order can no longer be changed.");

    /// <summary>A held order rejects confirmations.</summary>
    public static readonly ReasonCode OrderHeld = new("order.held", "A held order rejects confirmations.");

    /// <summary>A cancelled order accepts nothing.</summary>
    public static readonly ReasonCode OrderCancelled = new("order.cancelled", "A cancelled order accepts nothing.");

    /// <summary>An order can only close with a zero balance.</summary>
    public static readonly ReasonCode OrderBalanceNotZero = new("order.balance-not-zero", "An order can only be closed with a zero order balance.");

    /// <summary>An order with confirmations cannot be cancelled (technically complete it instead).</summary>
    public static readonly ReasonCode OrderHasConfirmations = new("order.has-confirmations", "An order with confirmations cannot be cancelled; technically complete it instead.");

    // ---- Quality: nonconformance and MRB ---------------------------------------------------------

    /// <summary>Corrections are only allowed on an approved nonconformance.</summary>
    public static readonly ReasonCode NonconformanceNotApproved = new("ncr.not-approved", "Corrections are only allowed on an approved nonconformance.");

    /// <summary>Use-as-is needs a documented justification.</summary>
    public static readonly ReasonCode JustificationRequired = new("ncr.justification-required", "Use-as-is (concession) needs a documented justification.");

    /// <summary>The disposition needs an identified authorizer.</summary>
    public static readonly ReasonCode AuthorizerRequired = new("ncr.authorizer-required", "The disposition needs an identified authorizer.");

    /// <summary>The site's industry profile requires the design authority's approval.</summary>
    public static readonly ReasonCode DesignAuthorityRequired = new("ncr.design-authority-required", "This site's industry profile requires the design authority's approval for this disposition.");

    /// <summary>A signature on a use-as-is line does not authorize a concession (wrong meaning, no justification or a role not allowed to authorize deviations).</summary>
    public static readonly ReasonCode SignatureNotAuthorizing = new("ncr.signature-not-authorizing", "A use-as-is is authorized only by an Approve signature with a justification, in a role allowed to authorize deviations at the site.");

    // ---- Generic transitions ---------------------------------------------------------------------

    /// <summary>The trigger is not permitted in the current state.</summary>
    public static readonly ReasonCode TransitionNotPermitted = new("state.transition-not-permitted", "The trigger is not permitted in the current state.");

    /// <summary>An event older than the last applied for its key was received.</summary>
    public static readonly ReasonCode OutOfOrder = new("event.out-of-order", "The event's sequence is older than the last one applied for its key.");

    /// <summary>The event was already accepted (same source and id).</summary>
    public static readonly ReasonCode Duplicate = new("event.duplicate", "An event with the same source and id was already accepted.");

    /// <summary>The event carries an attribute the orchestrator reserves for the events it creates itself.</summary>
    public static readonly ReasonCode ReservedAttribute = new("event.reserved-attribute", "The event carries an attribute the orchestrator reserves for the events it creates itself.");

    // ---- Approvals and governance ----------------------------------------------------------------

    /// <summary>A human approval is required by policy.</summary>
    public static readonly ReasonCode ApprovalRequired = new("approval.required", "A human approval by the named role is required by policy.");

    /// <summary>The requester cannot approve their own request (segregation of duties).</summary>
    public static readonly ReasonCode SelfApproval = new("approval.self-approval", "The requester cannot approve their own request.");

    /// <summary>The approver lacks the required role at the site.</summary>
    public static readonly ReasonCode RoleNotHeld = new("approval.role-not-held", "The actor does not hold the required role at this site.");

    /// <summary>
    /// Whoever an event names as releasing or authorizing is unknown to the actor directory, does not hold the approving
    /// role at the site, or is a system: the claim is not a signature, so a person in the role must approve.
    /// </summary>
    public static readonly ReasonCode ReleaseAuthorityUnverified = new("approval.release-authority-unverified", "Whoever is named as releasing is unknown, lacks the approving role at the site or is a system: a claim in an event is not a signature, so a person in the role must approve.");

    /// <summary>The actor cannot be resolved by the actor directory.</summary>
    public static readonly ReasonCode ActorUnknown = new("approval.actor-unknown", "The actor is not known to the actor directory.");

    /// <summary>An approval or signature arrived without an identity the host authenticated (as an event, through intake).</summary>
    public static readonly ReasonCode ApprovalUnauthenticated = new("approval.unauthenticated", "An approval or signature needs an identity the host authenticated; one arriving in an event (file drop, JSON intake, a message transport) is a claim and is refused.");

    /// <summary>The signer authenticated too long ago (or in the future) to sign.</summary>
    public static readonly ReasonCode ReauthenticationRequired = new("approval.reauthentication-required", "A signature needs the signer to have authenticated within the re-authentication window.");

    /// <summary>A reassignment or delegation would lower the authority an approval needs.</summary>
    public static readonly ReasonCode AuthorityLowered = new("approval.authority-lowered", "A reassignment or delegation may keep or raise the role an approval needs, never lower it.");

    /// <summary>A second, distinct approver is required (two-person rule).</summary>
    public static readonly ReasonCode SecondApproverRequired = new("approval.second-approver-required", "A second, distinct approver is required.");

    /// <summary>
    /// A signature was made for an earlier round of signing of an approval: the request was reassigned (its signatures
    /// cleared) before the signature reached it, so it counts for nothing; the signer signs the current round.
    /// </summary>
    public static readonly ReasonCode SignatureStale = new("approval.signature-stale", "The signature was made for an earlier round of signing: the approval was reassigned since, so the signature counts for nothing; sign the current round.");

    /// <summary>The host's actor directory failed while an identity was resolved: nothing of the action was applied, and it can be tried again.</summary>
    public static readonly ReasonCode ActorDirectoryUnavailable = new("approval.directory-unavailable", "The actor directory failed while an identity or role was looked up (an outage, a timeout); nothing of the action was applied, and it can be tried again.");

    /// <summary>An SLA deadline was breached.</summary>
    public static readonly ReasonCode SlaBreached = new("sla.breached", "A step or approval passed its deadline.");

    // ---- Cycle counts ------------------------------------------------------------------------------

    /// <summary>A newer count of the same lot (location, bin and category) replaced this one; its difference is never posted.</summary>
    public static readonly ReasonCode CountSuperseded = new("count.superseded", "A newer count of the same lot, location, bin and stock category replaced this count: its difference is never posted and its pending approval is withdrawn.");

    /// <summary>A count without a lot cannot be posted or paused yet: the ERP and WMS count commands address a lot.</summary>
    public static readonly ReasonCode CountLotRequired = new("count.lot-required", "A count without a lot (material not batch-managed) cannot be posted or paused: the ERP count adjustment and the WMS pick commands address a lot.");

    // ---- Adapters and execution ------------------------------------------------------------------

    /// <summary>The target system failed transiently; the call will be retried.</summary>
    public static readonly ReasonCode AdapterTransient = new("adapter.transient", "The target system failed transiently; the call will be retried.");

    /// <summary>The target system refused the call permanently.</summary>
    public static readonly ReasonCode AdapterPermanent = new("adapter.permanent", "The target system refused the call permanently.");

    /// <summary>The target refused the command because what it assumed (a quantity, a version) is no longer so; the orchestrator reads again and decides again.</summary>
    public static readonly ReasonCode AdapterStale = new("adapter.stale", "The target refused the command because what it assumed (a quantity, a version) is no longer so; the orchestrator reads the lot or order again and decides again.");

    /// <summary>Retries were exhausted.</summary>
    public static readonly ReasonCode RetriesExhausted = new("adapter.retries-exhausted", "Retries were exhausted without success.");

    /// <summary>The circuit to the target system is open.</summary>
    public static readonly ReasonCode CircuitOpen = new("adapter.circuit-open", "The circuit to the target system is open.");

    /// <summary>No adapter is configured for the command's target system.</summary>
    public static readonly ReasonCode AdapterNotConfigured = new("adapter.not-configured", "No adapter is configured for the command's target system.");

    /// <summary>The command's kind or type is not a registered command of the operation registry.</summary>
    public static readonly ReasonCode UnknownCommandKind = new("adapter.unknown-command-kind", "The command's kind or type is not a registered command: register it with the operation registry.");

    /// <summary>The operation (a command or query kind) is not registered in the operation registry.</summary>
    public static readonly ReasonCode UnknownOperation = new("adapter.unknown-operation", "The operation is not registered: register its command or query type with the operation registry.");

    /// <summary>The adapter composed for the target system (and site) does not carry out the operation.</summary>
    public static readonly ReasonCode OperationNotSupported = new("adapter.operation-not-supported", "The adapter composed for the target system and site does not support the operation.");

    /// <summary>A registered workflow needs an operation that no composed adapter supports.</summary>
    public static readonly ReasonCode RequiredOperationsMissing = new("engine.required-operations-missing", "A registered workflow needs an operation that no composed adapter supports for some site; the orchestrator does not start.");

    /// <summary>The target system does not know a referenced order, document, case or task.</summary>
    public static readonly ReasonCode ReferenceUnknown = new("adapter.reference-unknown", "The target system does not know a referenced order, document, case or task.");

    /// <summary>A batch disposition code read from the ERP is not configured: the stock is read as blocked.</summary>
    public static readonly ReasonCode BatchDispositionUnknown = new("adapter.batch-disposition-unknown", "The ERP batch disposition code is not configured in the mapping; the stock is read as blocked until it is.");

    /// <summary>The WMS location is on hold: nothing is picked from it.</summary>
    public static readonly ReasonCode LocationOnHold = new("wms.location-on-hold", "The location is on hold: nothing is picked from it until the hold is released.");

    /// <summary>Picks of the lot are paused until they are resumed.</summary>
    public static readonly ReasonCode PicksPaused = new("wms.picks-paused", "Picks of this lot are paused until they are resumed.");

    /// <summary>Stock categories disagree between systems.</summary>
    public static readonly ReasonCode StockDrift = new("reconciliation.stock-drift", "The same lot shows different stock by category in two systems.");

    // ---- Engine ------------------------------------------------------------------------------------

    /// <summary>A partition was changed concurrently; nothing of the commit was applied.</summary>
    public static readonly ReasonCode ConcurrencyConflict = new("engine.concurrency-conflict", "A partition was changed concurrently; nothing of the commit was applied.");

    /// <summary>The audit trail failed verification.</summary>
    public static readonly ReasonCode AuditTampered = new("audit.verification-failed", "The audit trail failed verification: a record was modified, deleted, reordered or truncated.");

    /// <summary>An audit checkpoint did not continue the latest stored one: another node took a checkpoint first.</summary>
    public static readonly ReasonCode AuditCheckpointConflict = new("audit.checkpoint-conflict", "An audit checkpoint did not continue the latest stored one (another node took one first); nothing was stored.");

    /// <summary>An audit sink's file holds a line that is not an audit record.</summary>
    public static readonly ReasonCode AuditSinkFileUnreadable = new("audit.sink-file-unreadable", "An audit sink's file holds a complete line that is not an audit record (damaged, or written by something else); the sink writes nothing to it until it is repaired.");

    /// <summary>A workflow step failed unexpectedly.</summary>
    public static readonly ReasonCode StepFailed = new("engine.step-failed", "A workflow step failed unexpectedly; the event stays pending.");

    /// <summary>A query made while an event was processed (the first-touch ERP read, or a step's query) failed transiently on every attempt.</summary>
    public static readonly ReasonCode QueryRetriesExhausted = new("engine.query-retries-exhausted", "A query made while the event was processed failed transiently on every attempt; the event is dead-lettered.");

    /// <summary>A query made while an event was processed was refused permanently.</summary>
    public static readonly ReasonCode QueryRefused = new("engine.query-refused", "A query made while the event was processed was refused permanently; the event is dead-lettered.");

    /// <summary>The operator lacks the operator role.</summary>
    public static readonly ReasonCode OperatorRoleRequired = new("engine.operator-role-required", "Operator actions need the orchestration-operator role.");

    /// <summary>An operator's edited replay changes a part of the command a correction may not change.</summary>
    public static readonly ReasonCode CorrectionNotPermitted = new("engine.correction-not-permitted", "An edited replay may change only what the command marks correctable; what it acts on and what was decided stay as planned.");

    /// <summary>The key is parked behind a dead letter, so its state may be behind the systems.</summary>
    public static readonly ReasonCode PartitionParked = new("engine.partition-parked", "The key is parked behind a dead letter: its later events wait for an operator, so its state may be behind.");

    // ---- Storage -----------------------------------------------------------------------------------

    /// <summary>The store was written by a newer library version whose schema this version does not know.</summary>
    public static readonly ReasonCode StoreSchemaTooNew = new("store.schema-too-new", "The store was created or migrated by a newer library version; this version does not open it and leaves it unchanged.");

    /// <summary>Another writer holds the store's file: one embedded store file has one writer process.</summary>
    public static readonly ReasonCode StoreInUse = new("store.in-use", "Another process or store holds the store's file open for writing; one embedded store file has one writer.");

    /// <summary>Stored data could not be read back.</summary>
    public static readonly ReasonCode StoreDataUnreadable = new("store.data-unreadable", "Stored data could not be read back: a row is damaged or was written by an incompatible version, or a store file is not a database the store can read (it is left unchanged).");

    /// <summary>A commit was fenced by a lease its node no longer holds.</summary>
    public static readonly ReasonCode LeaseLost = new("store.lease-lost", "The commit was fenced by a partition lease its node no longer holds (another node took it over, or it was released); nothing of the commit was applied.");

    /// <summary>The store failed while an operator action was carried out (an outage, a timeout): nothing of it was applied, and it can be tried again.</summary>
    public static readonly ReasonCode StoreUnavailable = new("store.unavailable", "The store failed while the action was carried out (an outage, a timeout); nothing of the action was applied, and it can be tried again.");

    // ---- File drop ---------------------------------------------------------------------------------

    /// <summary>A dropped file could not be read to its end.</summary>
    public static readonly ReasonCode FileUnreadable = new("file.unreadable", "A dropped file could not be read to its end (an I/O error, or not UTF-8 text); the lines read before were processed.");

    /// <summary>A dropped name is not a regular file inside the folder.</summary>
    public static readonly ReasonCode FileNotRegular = new("file.not-regular", "A dropped name is not a regular file (a FIFO, a device, or a link leading out of the folder) and was not read.");

    // ---- Decision rules ---------------------------------------------------------------------------

    /// <summary>A rule set could not be built (duplicate rule names, unknown overlay target, invalid rule).</summary>
    public static readonly ReasonCode RuleSetInvalid = new("rules.rule-set-invalid", "The rule set could not be built: a rule name is duplicated, unknown or a rule is invalid.");

    /// <summary>A rule failed while it was evaluated.</summary>
    public static readonly ReasonCode RuleEvaluationFailed = new("rules.evaluation-failed", "A rule failed while the decision set was evaluated.");

    /// <summary>A recommendation may suggest but never decide a release, scrap or use-as-is on its own.</summary>
    public static readonly ReasonCode RecommendationNotAuthoritative = new("rules.recommendation-not-authoritative", "A recommendation may suggest but never decide a release, scrap or use-as-is; a person with authority must approve.");

    /// <summary>A governed decision (release, scrap, use-as-is) was made without the site's profile.</summary>
    public static readonly ReasonCode SiteProfileMissing = new("rules.site-profile-missing", "A release, scrap or use-as-is was decided without the site's profile, so the policy cannot tell whether it needs an approval; register the site's profile.");

    // Customer-specific quality requirements (rule overlay keyed by customer).

    /// <summary>A use-as-is concession was refused because a customer the lot is allocated to forbids concessions.</summary>
    public static readonly ReasonCode CustomerConcessionForbidden = new("customer.concession-forbidden", "The lot is allocated to a customer that accepts no use-as-is concessions; disposition it otherwise (rework, return, scrap) or reallocate it.");

    /// <summary>A release waits for a certificate of analysis a customer the lot is allocated to requires.</summary>
    public static readonly ReasonCode CustomerCertificateRequired = new("customer.certificate-required", "The lot is allocated to a customer that requires a certificate of analysis; the release waits until the certificate is on file.");

    // Corrective actions (CAPA, 8D, SCAR).

    /// <summary>A corrective action was asked to go back to an earlier stage.</summary>
    public static readonly ReasonCode CorrectiveActionStageBackward = new("capa.stage-backward", "Corrective action stages move forward only.");

    /// <summary>A corrective action was asked to skip a stage.</summary>
    public static readonly ReasonCode CorrectiveActionStageSkipped = new("capa.stage-skipped", "A corrective action advances one stage at a time.");

    /// <summary>A corrective action cannot advance while a mandatory activity of its current stage is open.</summary>
    public static readonly ReasonCode CorrectiveActionMandatoryActivityOpen = new("capa.mandatory-activity-open", "A mandatory activity of the current stage is still open; close it before advancing.");

    /// <summary>The activity named is not an open activity of the current stage.</summary>
    public static readonly ReasonCode CorrectiveActionActivityUnknown = new("capa.activity-unknown", "No open activity of that name in the current stage.");

    /// <summary>The current stage of a corrective action already has an activity of that name.</summary>
    public static readonly ReasonCode CorrectiveActionActivityExists = new("capa.activity-exists", "The current stage already has an activity of that name.");

    /// <summary>A closed corrective action was asked to advance or change its activities.</summary>
    public static readonly ReasonCode CorrectiveActionClosed = new("capa.closed", "The corrective action is closed: it has no further stage; reopen it first.");

    // Quarantine orders (Dynamics 365 quarantine order: Created → Started → Reported as finished → Ended).

    /// <summary>A quarantine order was asked to go back to a status it has already left.</summary>
    public static readonly ReasonCode QuarantineOrderStatusBackward = new("quarantine-order.status-backward", "Quarantine order statuses move forward only.");

    /// <summary>A quarantine order was asked to skip a status.</summary>
    public static readonly ReasonCode QuarantineOrderStatusSkipped = new("quarantine-order.status-skipped", "A quarantine order moves one status at a time: Created, Started, Reported as finished, Ended.");

    /// <summary>A quarantine order that has not started was asked to scrap: nothing is in quarantine yet.</summary>
    public static readonly ReasonCode QuarantineOrderNotStarted = new("quarantine-order.not-started", "The quarantine order has not started: nothing is in the quarantine warehouse yet.");

    /// <summary>A started quarantine order was asked to be cancelled.</summary>
    public static readonly ReasonCode QuarantineOrderStarted = new("quarantine-order.started", "Only a created quarantine order can be cancelled; a started one has its stock in the quarantine warehouse: end it, or scrap the stock.");

    /// <summary>An ended or cancelled quarantine order was asked to change.</summary>
    public static readonly ReasonCode QuarantineOrderClosed = new("quarantine-order.closed", "The quarantine order is ended or cancelled: it takes no further step.");

    /// <summary>A quarantine order names the same storage location as its regular and its quarantine warehouse.</summary>
    public static readonly ReasonCode QuarantineOrderSameLocation = new("quarantine-order.same-location", "The quarantine warehouse must differ from the regular warehouse the stock comes from.");

    /// <summary>Every code in the catalogue.</summary>
    public static IReadOnlyList<ReasonCode> All { get; } =
    [
        Required, MalformedJson, WrongType, UnknownEventType, UnsupportedSpecVersion, NonPositiveQuantity, NegativeQuantity,
        InvalidUnit, UnitMismatch, InvalidIdentifier, OutOfRange, PayloadTooLarge, NoUpcaster,
        UpcastFailed, EventTypeMismatch, InvalidEncoding, TooDeep, InvalidText, EventTypeConflict,
        WithdrawalNotUnrestricted, CategoryDoesNotAllowMovement, TransferNotPermitted, InsufficientQuantity, RestrictedBatch,
        InTransitNotUsable, InTransferNotUsable, UsageDecisionRequired, UsageDecisionConflict, UsageDecisionPostingPending, InspectionLotUnknown, ConsignmentNotOwned, ReinspectionRequired, LotExpired, LotScrapped, LotOnHold, LotUnknown, ReversalInvalid,
        OrderNotReleased, OrderClosed, OrderTechnicallyCompleted, OrderHeld, OrderCancelled, OrderBalanceNotZero, OrderHasConfirmations,
        NonconformanceNotApproved, JustificationRequired, AuthorizerRequired, DesignAuthorityRequired, SignatureNotAuthorizing,
        TransitionNotPermitted, OutOfOrder, Duplicate, ReservedAttribute,
        ApprovalRequired, SelfApproval, RoleNotHeld, ReleaseAuthorityUnverified, ActorUnknown, ApprovalUnauthenticated, ReauthenticationRequired, AuthorityLowered, SecondApproverRequired, SignatureStale, ActorDirectoryUnavailable, SlaBreached,
        CountSuperseded, CountLotRequired,
        AdapterTransient, AdapterPermanent, AdapterStale, RetriesExhausted, CircuitOpen, StockDrift,
        AdapterNotConfigured, UnknownCommandKind, UnknownOperation, OperationNotSupported, RequiredOperationsMissing, ReferenceUnknown, BatchDispositionUnknown, LocationOnHold, PicksPaused,
        RuleSetInvalid, RuleEvaluationFailed, RecommendationNotAuthoritative, SiteProfileMissing,
        ConcurrencyConflict, AuditTampered, AuditCheckpointConflict, AuditSinkFileUnreadable, StepFailed, OperatorRoleRequired, CorrectionNotPermitted, QueryRetriesExhausted, QueryRefused,
        PartitionParked,
        StoreSchemaTooNew, StoreInUse, StoreDataUnreadable, LeaseLost, StoreUnavailable,
        FileUnreadable, FileNotRegular,
        CustomerConcessionForbidden, CustomerCertificateRequired,
        CorrectiveActionStageBackward, CorrectiveActionStageSkipped, CorrectiveActionMandatoryActivityOpen, CorrectiveActionActivityUnknown, CorrectiveActionActivityExists, CorrectiveActionClosed,
        QuarantineOrderStatusBackward, QuarantineOrderStatusSkipped, QuarantineOrderNotStarted, QuarantineOrderStarted, QuarantineOrderClosed, QuarantineOrderSameLocation,
    ];

    /// <summary>The catalogue by code, built once from <see cref="All"/>.</summary>
    private static readonly FrozenDictionary<string, ReasonCode> ByCode = All.ToFrozenDictionary(c => c.Code, StringComparer.Ordinal);

    /// <summary>Finds a catalogued code by its string.</summary>
    /// <param name="code">The code string.</param>
    /// <param name="reasonCode">The catalogued code, when found.</param>
    /// <returns><see langword="true"/> when the code is in the catalogue.</returns>
    public static bool TryFind(string code, out ReasonCode reasonCode)
    {
        ArgumentNullException.ThrowIfNull(code);
        return ByCode.TryGetValue(code, out reasonCode);
    }
}
