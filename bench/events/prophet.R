# bench/events/prophet.R — R prophet at rolling origins, for bench/events.sh.
#
#   Rscript bench/events/prophet.R DATA.csv EVENTS.csv ORIGINS H MODE OUT.csv
#
# DATA.csv: ds,y (Prophet's example layout).  EVENTS.csv: the events stream
# (start,end,name[,group]); each row becomes a Prophet holiday on `start` with
# lower_window 0 and upper_window 1, as Prophet's documentation does for this
# series.  ORIGINS: one date a line.  For every origin, prophet is fitted on
# the rows with ds <= origin (yearly and weekly seasonality, no daily, as
# Prophet's defaults for this daily series; MAP fit, no sampling of
# intervals) and predicts days origin+1 .. origin+H.  MODE is `holidays` or
# `none`.  OUT.csv gets origin,target,yhat; the CPU seconds (user + system of
# this process and its children) spent in fitting and predicting, summed over
# origins, go to stdout as `cpu_s N`.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 6) {
	cat("usage: Rscript prophet.R DATA.csv EVENTS.csv ORIGINS H MODE OUT.csv\n", file = stderr())
	quit(status = 2)
}
suppressPackageStartupMessages(library(prophet))

data <- read.csv(args[1], stringsAsFactors = FALSE)
data$ds <- as.Date(data$ds)
ev <- read.csv(args[2], stringsAsFactors = FALSE)
origins <- as.Date(readLines(args[3]))
horizon <- as.integer(args[4])
mode <- args[5]
if (!(mode %in% c("holidays", "none")))
	stop("MODE must be holidays or none")

holidays <- NULL
if (mode == "holidays")
	holidays <- data.frame(holiday = ev$name, ds = as.Date(substr(ev$start, 1, 10)),
	                       lower_window = 0, upper_window = 1,
	                       stringsAsFactors = FALSE)

cpu <- 0
rows <- vector("list", length(origins))
for (i in seq_along(origins)) {
	o <- origins[i]
	t0 <- proc.time()
	m <- prophet(data[data$ds <= o, ], holidays = holidays,
	             yearly.seasonality = TRUE, weekly.seasonality = TRUE,
	             daily.seasonality = FALSE, uncertainty.samples = 0)
	fc <- predict(m, data.frame(ds = o + seq_len(horizon)))
	t1 <- proc.time() - t0
	cpu <- cpu + sum(t1[c(1, 2, 4, 5)], na.rm = TRUE)
	rows[[i]] <- data.frame(origin = format(o), target = format(as.Date(fc$ds)),
	                        yhat = sprintf("%.9g", fc$yhat))
}
write.csv(do.call(rbind, rows), args[6], row.names = FALSE, quote = FALSE)
cat(sprintf("cpu_s %.3f\n", cpu))
