using Amazon.EC2;
using Amazon.EC2.Model;
using ExpressHa.Config;
using ExpressHa.Service.Aws;
using ExpressHa.Service.Resources.Aws;

namespace ExpressHa.Service.Fencing;

/// <summary>Fencing by EC2 forced stop, in the manner of fence-agents' fence_aws:
/// <list type="number">
/// <item>Race check: DescribeInstances on this node's own instance (NodeConfig.InstanceId of the fencing node, else IMDS
/// instance-id). If it is stopping, stopped, shutting-down or terminated, this node is the one being fenced and it
/// refuses (<see cref="FenceCodes.SelfStopping"/>, Final): two nodes must never take each other down.</item>
/// <item>DescribeInstances on the target: stopped or terminated already counts as fenced.</item>
/// <item>StopInstances with Force=true on the target, then DescribeInstances every <see cref="PollInterval"/> until
/// it reports stopped (or terminated).</item>
/// </list>
/// Every call goes through <see cref="AwsRetry"/> (throttling, 5xx and timeouts are retried with backoff) and the whole
/// attempt is bounded by the request's timeout. UnauthorizedOperation names the IAM action and the instance;
/// InvalidInstanceID.NotFound names the instance and the node whose instanceId it is.</summary>
public sealed class AwsFenceAgent : IFenceAgent
{
    readonly AwsClientsProvider _clients;

    public AwsFenceAgent(AwsClientsProvider clients) => _clients = clients ?? throw new ArgumentNullException(nameof(clients));

    public string Type => FencingTypes.Aws;

    /// <summary>Time between DescribeInstances polls while the target is stopping.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
    /// <summary>Per-call timeout; null = <see cref="AwsBudget.DefaultPerCall"/> of the timeout (a third, 1–20 s).</summary>
    public TimeSpan? PerCallTimeout { get; init; }

    static readonly HashSet<string> Down = new(StringComparer.Ordinal) { "stopped", "terminated" };
    static readonly HashSet<string> GoingDown = new(StringComparer.Ordinal) { "stopping", "stopped", "shutting-down", "terminated" };

    public async Task<FenceResult> FenceAsync(FenceRequest request, CancellationToken ct)
    {
        var target = request.Target;
        var targetId = target.InstanceId?.Trim();
        if (string.IsNullOrEmpty(targetId))
            return FenceResult.Failure(FenceCodes.NoInstanceId, $"Node {target.Name} has no instanceId in the config; the aws fencing level cannot stop it.", retryable: false);

        var budget = new AwsBudget(request.Timeout, PerCallTimeout);
        string operation = "";
        string? instance = null;
        string? lastTargetState = null;
        try
        {
            var clients = _clients.Get(request.Config);
            var ec2 = clients.Ec2;

            // 1. race check on our own instance
            instance = request.Self.InstanceId?.Trim();
            if (string.IsNullOrEmpty(instance))
            {
                operation = "IMDS instance-id";
                instance = (await budget.Call(c => clients.Imds.GetMetadataAsync("instance-id", c), operation, ct).ConfigureAwait(false))?.Trim();
                if (string.IsNullOrEmpty(instance))
                    return FenceResult.Failure(FenceCodes.NoInstanceId,
                        $"Race check impossible: node {request.Self.Name} has no instanceId in the config and IMDS gives none; not fencing {target.Name}.", retryable: false);
            }
            if (instance == targetId)
                return FenceResult.Failure(FenceCodes.BadConfig, $"Node {target.Name} and this node {request.Self.Name} have the same instance {targetId}; refusing to stop it.", retryable: false) with { Final = true };
            operation = "DescribeInstances";
            var selfState = await StateAsync(ec2, budget, instance, operation, ct).ConfigureAwait(false);
            request.Log?.Invoke($"race check: this node's instance {instance} is {selfState}");
            if (GoingDown.Contains(selfState))
                return new FenceResult(false, FenceCodes.SelfStopping,
                    $"Race check: this node's own instance {instance} ({request.Self.Name}) is {selfState}; this node is the one being stopped, so it does not fence {target.Name} ({targetId}).")
                { Retryable = false, Final = true };

            // 2. target already down?
            instance = targetId;
            var state = await StateAsync(ec2, budget, targetId, operation, ct).ConfigureAwait(false);
            if (Down.Contains(state))
                return FenceResult.Success(FenceCodes.AlreadyStopped, $"Instance {targetId} of node {target.Name} is already {state}.");

            // 3. forced stop, then wait for stopped
            operation = "StopInstances";
            request.Log?.Invoke($"StopInstances Force=true {targetId} (node {target.Name}, state {state}): {request.Reason}");
            await budget.Call(c => ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = new List<string> { targetId }, Force = true }, c), operation, ct).ConfigureAwait(false);

            operation = "DescribeInstances";
            while (true)
            {
                state = lastTargetState = await StateAsync(ec2, budget, targetId, operation, ct).ConfigureAwait(false);
                if (Down.Contains(state))
                    return FenceResult.Success(FenceCodes.Fenced, $"Instance {targetId} of node {target.Name} is {state} (forced stop).");
                var left = budget.Remaining;
                if (left <= TimeSpan.Zero)
                    return FenceResult.Failure(FenceCodes.Timeout,
                        $"Instance {targetId} of node {target.Name} is still {state} after {request.Timeout.TotalSeconds:0.###} s (StopInstances Force=true was accepted).");
                await Task.Delay(left < PollInterval ? left : PollInterval, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var r = Map(e, operation, instance, target);
            if (lastTargetState != null && r.Code == FenceCodes.Timeout)
                return r with { Message = $"Instance {targetId} of node {target.Name} is still {lastTargetState} after {request.Timeout.TotalSeconds:0.###} s (StopInstances Force=true was accepted; {r.Message})." };
            return r;
        }
    }

    /// <summary>The state name (running, stopping, ...) of one instance.</summary>
    static async Task<string> StateAsync(IAmazonEC2 ec2, AwsBudget budget, string instanceId, string operation, CancellationToken ct)
    {
        if (budget.Remaining <= TimeSpan.Zero)
            throw new AwsApiException("RequestTimeout", $"{operation}: no time left.", timeout: true);
        var r = await budget.Call(c => ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = new List<string> { instanceId } }, c), operation, ct).ConfigureAwait(false);
        var inst = r.Reservations?.SelectMany(x => x.Instances ?? new List<Instance>()).FirstOrDefault(i => i.InstanceId == instanceId)
            ?? throw new AwsApiException("InvalidInstanceID.NotFound", $"{operation}: The instance ID '{instanceId}' does not exist");
        return inst.State?.Name?.Value ?? "unknown";
    }

    static FenceResult Map(Exception e, string operation, string? instance, NodeConfig target)
    {
        var api = AwsRetry.Translate(e, operation);
        if (api == null)
            return FenceResult.Failure(FenceCodes.ApiError, $"{operation} for {instance ?? target.Name} failed: {e.GetType().Name}: {e.Message}");
        var text = AwsErrors.Text(api);
        if (api.Code is "UnauthorizedOperation" or "AccessDenied" or "AccessDeniedException" or "AuthFailure")
            return FenceResult.Failure(FenceCodes.Unauthorized,
                $"Not authorized: the IAM policy of this node must allow ec2:{operation} on instance {instance} (fencing {target.Name}). AWS said: {api.Code}: {text}",
                retryable: false);
        if (api.Code.StartsWith("InvalidInstanceID", StringComparison.Ordinal))
            return FenceResult.Failure(FenceCodes.InstanceNotFound,
                $"Instance {instance} does not exist (check instanceId of {(instance == target.InstanceId?.Trim() ? "node " + target.Name : "this node")}). AWS said: {api.Code}: {text}",
                retryable: false);
        if (api.IsTimeout)
            return FenceResult.Failure(FenceCodes.Timeout, $"{operation} for {instance}: {api.Message}");
        return FenceResult.Failure(FenceCodes.ApiError, $"{operation} for {instance} failed: {api.Code}: {text}");
    }
}
