# bench/peers/fit.R — one R peer of bench/peers.sh on M4 hourly series.
#
#   Rscript bench/peers/fit.R METHOD TRAIN.csv FIRST LAST PART PARTS OUT.csv TIMES.tsv
#
# METHOD: ets, stlf, mstl_arima, tbats or prophet.  Fits the series of rows
# FIRST..LAST (1-based, file order) of the M4 wide TRAIN.csv whose position
# i in that range has (i - 1) %% PARTS == PART - 1, so that PARTS processes
# share a range.  Writes the mean forecast and the 95% interval for
# h = 1..48 as a pcs-style forecast CSV (issued, group, region, horizon_s,
# target, mean, p2.5, p97.5, model), every series ending at
# 2026-02-15T23:00:00Z like bench/m4tool's convert.  TIMES.tsv gets one line
# per series: id, CPU seconds (user + system of this process around the fit
# and the forecast), status (ok, or fallback when the fit failed and
# forecast::snaive stood in), number of warnings, first warning or error.
# Single-threaded: tbats without its parallel option, no other threads asked.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 8)
	stop("usage: fit.R METHOD TRAIN.csv FIRST LAST PART PARTS OUT.csv TIMES.tsv")
method <- args[1]
first <- as.integer(args[3]); last <- as.integer(args[4])
part <- as.integer(args[5]); parts <- as.integer(args[6])
H <- 48L
STEP <- 3600
END <- as.POSIXct("2026-02-15 23:00:00", tz = "UTC")

suppressPackageStartupMessages(library(forecast))
if (method == "prophet")
	suppressPackageStartupMessages(library(prophet))

# The wide file: first field the id, then the values, rows padded with blanks.
lines <- readLines(args[2])[-1]
rows <- strsplit(gsub('"', "", sub("\r$", "", lines)), ",", fixed = TRUE)
last <- min(last, length(rows))
idx <- first:last
idx <- idx[(seq_along(idx) - 1L) %% parts == part - 1L]

fit_one <- function(x) {
	switch(method,
		ets = forecast(ets(ts(x, frequency = 24)), h = H, level = 95),
		stlf = stlf(msts(x, seasonal.periods = c(24, 168)), h = H, level = 95,
			method = "ets"),
		mstl_arima = stlf(msts(x, seasonal.periods = c(24, 168)), h = H,
			level = 95, method = "arima"),
		tbats = forecast(tbats(msts(x, seasonal.periods = c(24, 168)),
			use.parallel = FALSE, num.cores = 1), h = H, level = 95),
		prophet = {
			n <- length(x)
			df <- data.frame(ds = END - (n - 1):0 * STEP, y = x)
			m <- prophet(df, daily.seasonality = TRUE, weekly.seasonality = TRUE,
				yearly.seasonality = FALSE, interval.width = 0.95)
			fut <- data.frame(ds = END + (1:H) * STEP)
			p <- predict(m, fut)
			list(mean = p$yhat, lower = p$yhat_lower, upper = p$yhat_upper)
		},
		stop("unknown method ", method))
}

issued <- format(END, "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")
target <- format(END + (1:H) * STEP, "%Y-%m-%dT%H:%M:%SZ", tz = "UTC")
out <- file(args[7], "w")
tim <- file(args[8], "w")
writeLines("issued,group,region,horizon_s,target,mean,p2.5,p97.5,model", out)
set.seed(1)
for (i in idx) {
	r <- rows[[i]]
	id <- r[1]
	v <- r[-1]
	v <- v[v != ""]
	x <- as.numeric(v)
	warns <- character(0)
	status <- "ok"
	t0 <- proc.time()
	fc <- withCallingHandlers(
		tryCatch(fit_one(x), error = function(e) {
			status <<- "fallback"
			warns <<- c(conditionMessage(e), warns)
			forecast(snaive(ts(x, frequency = 24)), h = H, level = 95)
		}),
		warning = function(w) {
			warns <<- c(warns, conditionMessage(w))
			invokeRestart("muffleWarning")
		},
		message = function(m) invokeRestart("muffleMessage"))
	t1 <- proc.time()
	cpu <- (t1[[1]] - t0[[1]]) + (t1[[2]] - t0[[2]])
	mu <- as.numeric(fc$mean)
	lo <- as.numeric(fc$lower)
	hi <- as.numeric(fc$upper)
	writeLines(sprintf("%s,%s,*,%d,%s,%.10g,%.10g,%.10g,%s", issued, id,
		(1:H) * as.integer(STEP), target, mu, lo, hi,
		if (status == "ok") method else "snaive_fallback"), out)
	w1 <- if (length(warns)) gsub("[\t\n]", " ", warns[1]) else "-"
	writeLines(sprintf("%s\t%.3f\t%s\t%d\t%s", id, cpu, status,
		length(warns), w1), tim)
	flush(tim)
}
close(out)
close(tim)
