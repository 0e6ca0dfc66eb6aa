using ExpressHa.Api;
using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ExpressHa.Client;

namespace ExpressHa.Cmdlets
{
    /// <summary>ErrorIds of the operating cmdlets (in addition to the ids the node itself returns, such as ExpressHa.GroupNotFound).</summary>
    public static class HaOperationErrorIds
    {
        public const string NotConnected = ErrorCodes.NotConnected;
        public const string ConnectionFailed = ErrorCodes.ConnectionFailed;
        public const string Unauthorized = ErrorCodes.Unauthorized;
        public const string CertificateNotTrusted = ErrorCodes.CertificateNotTrusted;
        public const string CertificateMismatch = ErrorCodes.CertificateMismatch;
        public const string ConfigRefused = ErrorCodes.ConfigRefused;
        public const string WrongCluster = ErrorCodes.WrongCluster;
        public const string WaitTimeout = ErrorCodes.WaitTimeout;
        public const string GroupFailed = ErrorCodes.GroupFailed;
        public const string FileExists = ErrorCodes.FileExists;
        public const string ArchiveWriteFailed = ErrorCodes.ArchiveWriteFailed;
        /// <summary>An Invoke-HaFailoverDrill drill was refused or did not reach its outcome in time.</summary>
        public const string DrillFailed = ErrorCodes.DrillFailed;
        /// <summary>The drill report could not be written.</summary>
        public const string ReportWriteFailed = ErrorCodes.ReportWriteFailed;
    }

    /// <summary>Calls the management API for a cmdlet: the session's connection, Ctrl+C, and API errors as ErrorRecords.</summary>
    internal static class LiveCall
    {
        public static HaConnection Require(PSCmdlet cmdlet)
        {
            var c = HaSession.Connection;
            if (c != null) return c;
            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException("Not connected to an ExpressHa cluster. Run Connect-HaCluster -Endpoint https://NODE:29003 -TokenFile PATH -CertificateFingerprint SHA256 first."),
                HaOperationErrorIds.NotConnected, ErrorCategory.ConnectionError, null));
            throw new InvalidOperationException("unreachable");
        }

        /// <summary>Runs an API call to completion; Ctrl+C stops the pipeline; API failures become <see cref="HaCmdletException"/>.</summary>
        public static T Invoke<T>(HaConnection connection, CancellationToken ct, Func<HaApiClient, CancellationToken, Task<T>> call, object? target = null)
        {
            try
            {
                return Task.Run(() => call(connection.Client, ct), ct).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (HaApiException ex)
            {
                throw ToCmdletException(ex, connection, target);
            }
        }

        public static HaCmdletException ToCmdletException(HaApiException ex, HaConnection? connection, object? target)
        {
            ErrorCategory category;
            var id = ex.Code;
            var message = ex.Message;
            switch (ex.StatusCode)
            {
                case 404: category = ErrorCategory.ObjectNotFound; break;
                case 409: category = ErrorCategory.InvalidOperation; break;
                case 400: category = ErrorCategory.InvalidArgument; break;
                case 413: category = ErrorCategory.LimitsExceeded; break;
                // ExpressHa.ReadOnly (the read-only token asked for a change), ExpressHa.Forbidden
                case 403: category = ErrorCategory.PermissionDenied; break;
                case 401:
                    category = ErrorCategory.AuthenticationError;
                    id = HaOperationErrorIds.Unauthorized;
                    message = "The node refused the API token. Check the token (cluster.security.apiTokenFile on the nodes) and run Connect-HaCluster again.";
                    break;
                case 0:
                    category = ex.Code == ErrorCodes.Timeout ? ErrorCategory.OperationTimeout
                        : ex.Code == ErrorCodes.CertificateNotTrusted || ex.Code == ErrorCodes.CertificateMismatch || ex.Code == ErrorCodes.InsecureEndpoint ? ErrorCategory.SecurityError
                        : ErrorCategory.ConnectionError;
                    break;
                default: category = ErrorCategory.NotSpecified; break;
            }
            return new HaCmdletException(id, category, message, target ?? connection?.ClusterName);
        }
    }

    /// <summary>Base of the operating cmdlets: the connection, cancellation on Ctrl+C, and error reporting.</summary>
    public abstract class OperationCmdlet : PSCmdlet, IDisposable
    {
        readonly CancellationTokenSource _cts = new CancellationTokenSource();

        protected CancellationToken CancelToken => _cts.Token;

        protected HaConnection Connection => LiveCall.Require(this);

        protected T Invoke<T>(Func<HaApiClient, CancellationToken, Task<T>> call, object? target = null)
            => LiveCall.Invoke(Connection, _cts.Token, call, target);

        protected void Report(HaCmdletException ex)
        {
            if (ex.Terminating) ThrowTerminatingError(ex.ToErrorRecord());
            else WriteError(ex.ToErrorRecord());
        }

        /// <summary>An object piped from another cluster must not act on the connected one.</summary>
        protected void CheckCluster(string? clusterName, object target)
        {
            var c = Connection;
            if (!string.IsNullOrEmpty(clusterName) && !string.Equals(clusterName, c.ClusterName, StringComparison.Ordinal))
                throw new HaCmdletException(HaOperationErrorIds.WrongCluster, ErrorCategory.InvalidArgument,
                    $"'{target}' belongs to cluster '{clusterName}', but the session is connected to '{c.ClusterName}'. Connect to '{clusterName}' first.", target);
        }

        /// <summary>Sleeps between polls; Ctrl+C ends the wait at once.</summary>
        protected void Pause(int ms)
        {
            if (_cts.Token.WaitHandle.WaitOne(ms)) throw new PipelineStoppedException();
        }

        protected override void StopProcessing() => _cts.Cancel();

        public void Dispose() => _cts.Dispose();
    }
}
