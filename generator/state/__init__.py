"""Where an environment's Terraform state lives, and what authgen does about it.

* ``ci``: the rule that pipelines never plan or apply on state they will lose
  (local state while ``CI`` is set), and its exemption for emulators;
* ``bucket``: the S3 bucket of ``state: {backend: s3}``, reached with boto3
  at the endpoint terraform uses: does it exist, and ``authgen state
  bootstrap`` (create it and harden it, idempotently);
* ``documents``: the state as ``authgen state show`` / ``state pull`` give it,
  with every secret masked.

Terraform itself reads and writes the state (and takes its lock); nothing
here touches the state object.
"""
