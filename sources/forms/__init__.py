"""Forms: accounts, vendor entries, reports and domain verification."""
