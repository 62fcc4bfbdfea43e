"""Publishing the files articles link to (images, documents) where readers can load them.

``names`` is the content-addressed naming rule (pure), ``home`` says where a local file
is published under the settings (pure and picklable, so renderers and workers take it),
``store`` opens the configured store and ``s3`` is the S3-compatible one (boto3, the
optional extra ``kbsync[s3]``). Nothing here reads the knowledge base or prints.
"""
