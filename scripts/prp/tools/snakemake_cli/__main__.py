from prp.tools.snakemake_cli import exit_now, main

exit_now(main())
