using System;
using System.Collections;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ExpressHa.Cmdlets
{
    /// <summary>Reads this EC2 instance's environment (instance id, region, AZ, VPC, subnet, ENI, private IP, MAC) from
    /// IMDSv2 over plain HTTP, so an admin fills a cluster config without looking anything up. -AsNodeParameters gives a
    /// hashtable to splat into Add-HaNode. Off EC2 it stops with ExpressHa.ImdsUnavailable (ConnectionError).
    /// Never loads the AWS SDK.</summary>
    [Cmdlet(VerbsCommon.Get, "HaAwsEnvironment")]
    [OutputType(typeof(HaAwsEnvironment), typeof(Hashtable))]
    public sealed class GetHaAwsEnvironmentCommand : PSCmdlet
    {
        /// <summary>ErrorId when the metadata service cannot be reached or refuses (not on EC2, IMDSv2 disabled).</summary>
        public const string ImdsUnavailableErrorId = Api.ErrorCodes.ImdsUnavailable;

        readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>Base URL of the instance metadata service.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ImdsEndpoint { get; set; } = ImdsReader.DefaultEndpoint;

        /// <summary>Bound on each metadata request.</summary>
        [Parameter]
        [ValidateRange(1, 300)]
        public int TimeoutSeconds { get; set; } = 2;

        /// <summary>Write a hashtable for Add-HaNode (Name, Address, InstanceId, AvailabilityZone) instead of the environment object.</summary>
        [Parameter]
        public SwitchParameter AsNodeParameters { get; set; }

        protected override void ProcessRecord()
        {
            if (!Uri.TryCreate(ImdsEndpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != "http" && endpoint.Scheme != "https"))
                ThrowTerminatingError(HaCmdletException.BadArgument(nameof(ImdsEndpoint), $"'{ImdsEndpoint}' is not an http:// URL").ToErrorRecord());

            HaAwsEnvironment env;
            try
            {
                WriteVerbose($"Reading instance metadata (IMDSv2) from {endpoint!.GetLeftPart(UriPartial.Authority)}.");
                env = Task.Run(() => ReadAsync(endpoint, TimeSpan.FromSeconds(TimeoutSeconds), _stop.Token)).GetAwaiter().GetResult();
            }
            catch (ImdsUnavailableException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, ImdsUnavailableErrorId, ErrorCategory.ConnectionError, ImdsEndpoint)
                {
                    ErrorDetails = new ErrorDetails(e.Message)
                    {
                        RecommendedAction = "Run Get-HaAwsEnvironment on the EC2 instance itself, with IMDSv2 enabled (and a hop limit of 2 or more inside a container), or use -ImdsEndpoint.",
                    },
                });
                return;
            }
            catch (OperationCanceledException)
            {
                return; // Ctrl+C
            }

            if (AsNodeParameters)
            {
                var h = new Hashtable(StringComparer.OrdinalIgnoreCase) { ["Name"] = env.HostName };
                if (env.PrivateIp != null) h["Address"] = env.PrivateIp;
                if (env.InstanceId != null) h["InstanceId"] = env.InstanceId;
                if (env.AvailabilityZone != null) h["AvailabilityZone"] = env.AvailabilityZone;
                WriteObject(h);
            }
            else
            {
                WriteObject(env);
            }
        }

        protected override void StopProcessing() => _stop.Cancel();

        /// <summary>Reads every value; paths the instance lacks stay null. No token at all means IMDS is unavailable.</summary>
        public static async Task<HaAwsEnvironment> ReadAsync(Uri endpoint, TimeSpan timeout, CancellationToken ct)
        {
            using var imds = new ImdsReader(endpoint, timeout);
            await imds.ConnectAsync(ct).ConfigureAwait(false);
            var env = new HaAwsEnvironment
            {
                InstanceId = await imds.GetAsync("instance-id", ct).ConfigureAwait(false),
                AvailabilityZone = await imds.GetAsync("placement/availability-zone", ct).ConfigureAwait(false),
                Region = await imds.GetAsync("placement/region", ct).ConfigureAwait(false),
                PrivateIp = await imds.GetAsync("local-ipv4", ct).ConfigureAwait(false),
                Mac = await imds.GetAsync("mac", ct).ConfigureAwait(false),
                HostName = LocalHostName(),
            };
            if (env.InstanceId == null)
                throw new ImdsUnavailableException($"the metadata service at {imds.Endpoint} has no instance-id; it is not an EC2 instance metadata service");
            // Old metadata versions have no placement/region: the AZ without its letter is the region.
            if (env.Region == null && env.AvailabilityZone is { Length: > 1 } az && char.IsLetter(az[az.Length - 1]))
                env.Region = az.Substring(0, az.Length - 1);
            if (env.Mac != null)
            {
                var prefix = "network/interfaces/macs/" + env.Mac + "/";
                env.NetworkInterfaceId = await imds.GetAsync(prefix + "interface-id", ct).ConfigureAwait(false);
                env.SubnetId = await imds.GetAsync(prefix + "subnet-id", ct).ConfigureAwait(false);
                env.VpcId = await imds.GetAsync(prefix + "vpc-id", ct).ConfigureAwait(false);
                env.VpcCidr = FirstLine(await imds.GetAsync(prefix + "vpc-ipv4-cidr-block", ct).ConfigureAwait(false));
                env.SubnetCidr = FirstLine(await imds.GetAsync(prefix + "subnet-ipv4-cidr-block", ct).ConfigureAwait(false));
                env.PrivateIp ??= FirstLine(await imds.GetAsync(prefix + "local-ipv4s", ct).ConfigureAwait(false));
            }
            return env;
        }

        static string? FirstLine(string? text)
        {
            if (text == null) return null;
            var i = text.IndexOf('\n');
            return (i < 0 ? text : text.Substring(0, i)).Trim();
        }

        static string LocalHostName()
        {
            string name;
            try { name = System.Net.Dns.GetHostName(); }
            catch (System.Net.Sockets.SocketException) { name = Environment.MachineName; }
            var dot = name.IndexOf('.');
            return dot > 0 ? name.Substring(0, dot) : name;
        }
    }
}
