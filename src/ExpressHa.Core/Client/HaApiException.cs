using System;

namespace ExpressHa.Client
{
    /// <summary>A failed API call: the HTTP status (0 when no answer came) and the API's stable code and message.</summary>
    public sealed class HaApiException : Exception
    {
        public HaApiException(int statusCode, string code, string message, Exception? inner = null) : base(message, inner)
        {
            StatusCode = statusCode;
            Code = code;
        }

        public int StatusCode { get; }
        /// <summary>A stable id: ExpressHa.GroupNotFound, ExpressHa.Unauthorized, ExpressHa.CertificateNotTrusted...</summary>
        public string Code { get; }
        /// <summary>The fingerprint the server presented, when the call failed on certificate pinning.</summary>
        public string? ServerFingerprint { get; set; }
        /// <summary>The decoded body of a failed config push (validation errors, refusals), when there was one.</summary>
        public Api.ConfigPushResult? PushResult { get; set; }

        public bool IsNotFound => StatusCode == 404;
    }

    /// <summary>Codes the client itself raises (the server's own codes come in the error bodies).</summary>
    public static class HaApiCodes
    {
        public const string Unauthorized = "ExpressHa.Unauthorized";
        public const string BadRequest = "ExpressHa.BadRequest";
        public const string NotFound = "ExpressHa.NotFound";
        public const string Conflict = "ExpressHa.Conflict";
        public const string InternalError = "ExpressHa.InternalError";
        public const string ConnectionFailed = "ExpressHa.ConnectionFailed";
        public const string Timeout = "ExpressHa.Timeout";
        public const string CertificateNotTrusted = "ExpressHa.CertificateNotTrusted";
        public const string CertificateMismatch = "ExpressHa.CertificateMismatch";
        public const string BadResponse = "ExpressHa.BadResponse";
        public const string InsecureEndpoint = "ExpressHa.InsecureEndpoint";
    }
}
