"""A nightly sparknas sweep on YARN: each night adds 100 evaluations to the same sweep.

`search --extend 100 --id {{ ds }}` raises the stored budget by 100 once per logical date: a retried night (Airflow's
retries, YARN's second attempt), finished or not, adds nothing again and continues what is unfinished. Exit codes: 0 done, 1 the sweep
stopped (too many failed candidates, no winner), 2 a bad configuration or a sweep held by another run (the lease);
spark-submit in cluster mode ends with the application's status, so the task fails on 1 and 2.

`--take-over` takes the sweep's lease only when it is stale (no heartbeat for 60 s: a night that crashed); a live
run's lease is refused (exit 2), never taken. A lost application master is retried by YARN inside the same
application (spark.yarn.maxAppAttempts = 2), which continues under its own lease.

Needs apache-airflow-providers-apache-spark and a `spark_default` connection whose host is `yarn`.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

APP_JAR = "/opt/sparknas/jobs-0.1.0-SNAPSHOT-app.jar"  # mvn -B -ntp -Papp -DskipTests package: jobs/target/
NATIVE_JAR = "/opt/sparknas/pytorch-native-cpu-2.7.1-linux-x86_64.jar"  # the same build: jobs/target/native/
# glibc keeps libtorch's freed memory instead of returning and re-faulting it each step (docs/benchmarks.md)
GLIBC_TUNABLES = "glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=1073741824"
CONF = "/opt/sparknas/conf/yarn.conf"

with DAG(
    dag_id="sparknas_nightly",
    start_date=datetime(2026, 12, 1),
    schedule="0 1 * * *",
    catchup=False,
    max_active_runs=1,  # one run per sweep at a time (the sweep's lease refuses a second one with exit 2)
    default_args={"retries": 2, "retry_delay": timedelta(minutes=10)},
) as dag:
    SparkSubmitOperator(
        task_id="extend_sweep",
        conn_id="spark_default",
        application=APP_JAR,
        java_class="io.sparknas.jobs.Main",
        deploy_mode="cluster",
        files=CONF,
        archives="hdfs:///user/sparknas/fashion-mnist.tgz#fashion-mnist",
        jars=NATIVE_JAR,
        conf={
            "spark.executor.instances": "4",
            "spark.executor.cores": "4",
            "spark.executor.memory": "8g",
            "spark.executor.memoryOverhead": "6g",
            "spark.executor.extraJavaOptions": "-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1",
            "spark.driver.extraJavaOptions": "-Dai.djl.offline=true",
            "spark.executorEnv.DJL_CACHE_DIR": "./djl-cache",
            "spark.yarn.appMasterEnv.DJL_CACHE_DIR": "./djl-cache",
            "spark.executorEnv.GLIBC_TUNABLES": GLIBC_TUNABLES,
            "spark.yarn.appMasterEnv.GLIBC_TUNABLES": GLIBC_TUNABLES,
            "spark.yarn.maxAppAttempts": "2",
        },
        application_args=["search", "--conf", "yarn.conf", "--extend", "100", "--id", "{{ ds }}", "--take-over"],
    )
