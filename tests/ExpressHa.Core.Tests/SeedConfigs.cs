namespace ExpressHa.Core.Tests;

/// <summary>Valid configs used as the base of the validator tests and as seeds of the mutation test.
/// Together they use every resource type, every monitor type and every cluster section.</summary>
public static class SeedConfigs
{
    /// <summary>Two AWS nodes in two AZs: every AWS resource type, a mirror disk, aws fencing with delays, ping resolution.</summary>
    public const string Aws = """
apiVersion: expressha/v1
cluster:
  name: cluster
  interconnects:
    - { name: lan1, role: heartbeat }
    - { name: lan2, role: "heartbeat,mirror" }
  heartbeat: { intervalMs: 1000, timeoutMs: 10000, port: 29002 }
  partitionResolution:
    ping: { targets: [10.0.10.1, 10.0.20.1], intervalMs: 1000, timeoutMs: 3000 }
    action: stopService
  fencing:
    type: aws
    delaySeconds: { server1: 0, server2: 5 }
    timeoutSeconds: 120
  notifications:
    sns: { topicArn: "arn:aws:sns:ap-northeast-1:123456789012:ha", minLevel: warning }
  aws:
    region: ap-northeast-1
    endpoints: { ec2: "http://127.0.0.1:4566" }
nodes:
  - name: server1
    addresses: { lan1: 10.0.110.10, lan2: 10.0.111.10 }
    priority: 0
    instanceId: i-0a1b2c3d4e5f60001
    availabilityZone: ap-northeast-1a
  - name: server2
    addresses: { lan1: 10.0.120.10, lan2: 10.0.121.10 }
    priority: 1
    instanceId: i-0a1b2c3d4e5f60002
    availabilityZone: ap-northeast-1c
groups:
  - name: failover1
    startup: auto
    failback: manual
    servers: [server1, server2]
    resources:
      - name: awsvip1
        type: awsvip
        ip: 10.1.0.20
        vpcId: vpc-1234abcd
        vpcCidr: 10.0.0.0/16
        eni: { server1: eni-aaa111, server2: eni-bbb222 }
      - name: awseip1
        type: awseip
        allocationId: eipalloc-0123abcd
      - name: awsdns1
        type: awsdns
        hostedZoneId: Z0123456789ABC
        recordName: app.example.internal.
        ip: { server1: 10.0.110.10, server2: 10.0.120.10 }
        ttl: 10
      - name: md1
        type: mirror
        dataPath: { server1: /dev/nvme1n1p2, server2: /dev/nvme1n1p2 }
        metaPath: { server1: /dev/nvme1n1p1, server2: /dev/nvme1n1p1 }
        sizeMiB: 1024
        mirrorAddress: { server1: 10.0.111.10, server2: 10.0.121.10 }
        mountPoint: /mnt/md1
      - name: lbprobe1
        type: lbprobe
        port: 12345
      - name: app
        type: exec
        dependsOn: [awsvip1, awsdns1, md1]
        start: /opt/app/start.sh
        stop: /opt/app/stop.sh
        environment: { APP_MODE: ha }
        onActivationFailure: { retries: 1, failovers: 1, finalAction: stopGroup }
        onDeactivationFailure: { retries: 0, finalAction: shutdown }
  - name: failover2
    servers: [server2, server1]
    resources:
      - name: awssip1
        type: awssip
        ip: 10.0.110.50
        subnetCidr: 10.0.110.0/24
monitors:
  - { name: awsvipw1, type: awsvip, target: awsvip1, intervalSeconds: 60, timeoutSeconds: 180, retry: 1,
      onApiFailure: recover, recovery: { target: awsvip1, restarts: 3, failovers: 1, finalAction: none } }
  - { name: awseipw1, type: awseip, target: awseip1, onApiFailure: warn }
  - { name: awsdnsw1, type: awsdns, target: awsdns1, checkResolution: true }
  - { name: awssipw1, type: awssip, target: awssip1, recovery: { target: failover2 } }
  - { name: awsazw, type: awsaz, availabilityZone: { server1: ap-northeast-1a, server2: ap-northeast-1c }, onApiFailure: ignore }
  - { name: mdw1, type: mirror, target: md1 }
  - { name: mdnw1, type: mirrorconnect, target: md1 }
  - { name: lbprobew1, type: lbprobe, target: lbprobe1 }
  - { name: userw, type: userw }
""";

    /// <summary>Three on-premises nodes: floating IPs, exec, script fencing, HTTP witness, TCP, majority, the generic monitors.</summary>
    public const string OnPrem = """
apiVersion: expressha/v1
cluster:
  name: onprem-1
  interconnects:
    - name: lan1
    - name: mdc1
      role: mirror
  heartbeat:
    intervalMs: 500
    timeoutMs: 5000
  partitionResolution:
    http:
      url: http://192.168.0.5:8080/witness
      timeoutMs: 2000
      heartbeat: true
    tcp:
      host: witness.example.internal
      port: 443
    majority: true
    action: shutdown
  fencing:
    levels:
      - type: script
        command: /usr/local/bin/fence-ipmi
    delaySeconds:
      node-a: 0
      node-b: 3
      node-c: 6
  security:
    apiPort: 29003
    apiTls: true
  shutdownCommand: /sbin/poweroff
nodes:
  - name: node-a
    address: 192.168.0.11
    priority: 0
    heartbeatPort: 29002
  - name: node-b
    address: 192.168.0.12
    priority: 1
  - name: node-c
    addresses: { lan1: 192.168.0.13, mdc1: 192.168.1.13 }
    priority: 2
    apiPort: 29004
groups:
  - name: web
    startup: manual
    failback: auto
    servers: [node-a, node-b, node-c]
    resources:
      - name: fip1
        type: floatip
        ip: 192.168.0.100
        prefixLength: 24
        interface: { node-a: eth0, node-b: eth0, node-c: ens5 }
        arpCount: 3
        pingCheck: true
      - name: web_app
        type: exec
        dependsOn: [fip1]
        start: systemctl start nginx
        stop: systemctl stop nginx
        startTimeoutSeconds: 60
        workingDirectory: /srv/www
  - name: batch
    servers: [node-c, node-a]
    resources:
      - name: batch_job
        type: exec
        start: /opt/batch/run.sh
monitors:
  - name: ipw1
    type: ip
    targets: [192.168.0.1]
    intervalSeconds: 30
    timeoutSeconds: 180
  - name: httpw1
    type: http
    url: http://127.0.0.1/health
    expectedStatus: 200
    target: web_app
    timing: active
    recovery: { target: web, restarts: 2, failovers: 1, finalAction: stopGroup }
  - name: procw1
    type: process
    processName: nginx
    target: web_app
    timing: active
  - name: customw1
    type: custom
    script: /opt/check.sh
    environment: { LEVEL: "3" }
    startWaitSeconds: 10
    recovery: { target: local, finalAction: reboot }
""";

    /// <summary>A minimal two-node config in flow style with an HTTP witness and no fencing.</summary>
    public const string Minimal = """
apiVersion: expressha/v1
cluster: { name: mini, partitionResolution: { http: { url: "https://witness.example.com/" } } }
nodes:
  - { name: a1, address: 127.0.0.1, heartbeatPort: 30001, apiPort: 30101 }
  - { name: a2, address: 127.0.0.1, heartbeatPort: 30002, apiPort: 30102 }
groups:
  - { name: g1, servers: [a1, a2], resources: [ { name: r1, type: exec, start: "echo start", stop: "echo stop" } ] }
monitors:
  - { name: pw, type: process, pidFile: /run/app.pid }
""";

    public static readonly string[] All = { Aws, OnPrem, Minimal };
}
